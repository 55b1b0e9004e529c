#!/usr/bin/env bash
# compare on scenarios built from the shipped parks with one change of each
# kind (coordinates computed in floating point on the WGS 84 ellipsoid with
# GeographicLib): identical, a park removed, a park added, one edge pushed
# out by 30 m, adjacency gained and lost, clusters merged and split, the
# target, matching by id and duplicate keys, the changes layer and its map.
. "$(dirname "$0")/lib.sh"

/usr/bin/python3 - "$SRC/geodata/pudong_parks.geojson" "$TMP" <<'EOF_PY' || { echo "scenarios"; exit 1; }
import copy, json, sys
from geographiclib.geodesic import Geodesic
G = Geodesic.WGS84
src, tmp = sys.argv[1], sys.argv[2]
base = json.load(open(src))
def park(fs, word):
    [f] = [f for f in fs if word in f["properties"]["name"]]
    return f
def ring(f):
    return f["geometry"]["coordinates"][0][0]
def write(name, fs):
    json.dump({"type": "FeatureCollection", "features": fs}, open("%s/%s.geojson" % (tmp, name), "w"))
def fresh():
    return copy.deepcopy(base["features"])
def moved(lon, lat, az, s):
    d = G.Direct(lat, lon, az, s)
    return [d["lon2"], d["lat2"]]
facts = {}
write("identical", fresh())
# (2) one park removed.
fs = fresh()
fs.remove(park(fs, "Lingang Bio-Bay"))
write("removed", fs)
# (3) one park added: park 14's square copied 3 km north of it (open ground).
fs = fresh()
new = copy.deepcopy(park(fs, "park 14"))
new["properties"].update(name="New Test Park", name_zh="新测试园", planned_area_km2=2.56)
new["id"] = 16  # the shipped file's GeoJSON ids run 1..15: a new park gets a new one
new["geometry"]["coordinates"][0][0] = [moved(x, y, 0.0, 3000.0) for x, y in ring(new)]
write("added", fs + [new])
# (4) Big Aircraft Park's first edge (v0 -> v1, the ring is counter-clockwise,
# so outward is to the right) pushed out by 30 m: a 30 m strip along it.
fs = fresh()
r = ring(park(fs, "Big Aircraft"))
v0, v1 = r[0], r[1]
inv = G.Inverse(v0[1], v0[0], v1[1], v1[0])
w0 = moved(v0[0], v0[1], inv["azi1"] + 90, 30.0)
w1 = moved(v1[0], v1[1], inv["azi2"] + 90, 30.0)
r[1:1] = [w0, w1]
poly = G.Polygon()
for x, y in (v0, v1, w1, w0):
    poly.AddPoint(y, x)
_, _, strip = poly.Compute(False, True)
facts["edge_m"], facts["strip_m2"] = inv["s12"], abs(strip)
write("bump", fs)
# (5) Zhangjiang AI Island: its top edge (shared with the Innovative Drug
# base) pulled in by 40 m, its bottom edge lowered onto the floor of the notch
# of Zhangjiang Online it sits in: adjacency lost and gained.
fs = fresh()
r = ring(park(fs, "AI Island"))
floor = min(y for x, y in ring(park(fs, "Zhangjiang Online")) if 121.606 < x < 121.612)
top = moved(r[2][0], r[2][1], 180.0, 40.0)[1]
facts["ai_down_m"] = G.Inverse(r[0][1], r[0][0], floor, r[0][0])["s12"]
for p in r:
    p[1] = top if p[1] > 31.201 else floor
write("adjacency", fs)
# (6) park 15 moved to 200 m east of park 14 (clusters at 500 m merge), and
# AI Island moved to where park 15 was (its Zhangjiang cluster splits).
fs = fresh()
p14, p15, ai = ring(park(fs, "park 14")), ring(park(fs, "park 15")), ring(park(fs, "AI Island"))
east = moved(p14[1][0], p14[1][1], 90.0, 200.0)
dx, dy = east[0] - p15[0][0], p14[1][1] - p15[0][1]
c15 = [sum(x for x, y in p15[:-1]) / 4, sum(y for x, y in p15[:-1]) / 4]
cai = [sum(x for x, y in ai[:-1]) / 4, sum(y for x, y in ai[:-1]) / 4]
for p in ai:
    p[0] += c15[0] - cai[0]
    p[1] += c15[1] - cai[1]
for p in p15:
    p[0] += dx
    p[1] += dy
write("clusters", fs)
# (8) ids in both; B renames one park (same id); then a duplicate id.
def with_ids(fs):
    for i, f in enumerate(fs):
        f["properties"]["id"] = "P%02d" % (i + 1)
    return fs
write("ids_a", with_ids(fresh()))
fs = with_ids(fresh())
fs[2]["properties"]["name"] = "Zhangjiang Pharma Valley"
write("ids_b", fs)
fs = with_ids(fresh())
fs[4]["properties"]["id"] = "P02"
write("ids_dup", fs)
fs = fresh()
fs[6]["properties"]["name"] = fs[5]["properties"]["name"]
for f in fs:  # without ids on one side, parks are matched by name
    del f["id"]
write("names_dup", fs)
# (9) one change of each kind at once, for the changes layer.
fs = json.load(open(tmp + "/bump.geojson"))["features"]
fs.remove(park(fs, "Lingang Bio-Bay"))
write("mixed", fs + [new])
json.dump(facts, open(tmp + "/facts.json", "w"))
EOF_PY

imp() { # imp NAME [CRS]
  run import "$TMP/$1.geojson" --db "$TMP/$1${2:+_$2}.db" ${2:+--t-srs EPSG:$2} --quiet
  expect_status 0 "import $1 ${2:-}"
}
for s in identical removed added bump adjacency clusters ids_a ids_b ids_dup names_dup mixed; do
  imp "$s"
done
imp identical 32651
imp bump 32651
A="$TMP/identical.db"
cmpj() { # cmpj B [options]: compare A with B as JSON into $TMP/<label>.json
  local b=$1; shift
  run compare --db "$A" --against "$TMP/$b.db" --json "$@"
  cp "$out" "$TMP/cmp.json"
}

# (1) identical (and the same parks stored in UTM 51N): nothing changed.
# Reprojection moves no vertex by more than nanometres.
for b in identical identical_32651; do
  cmpj "$b" --target-km2 43
  expect_status 0 "identical ($b): exit 0, B passes 43 km2"
  py_json "
c = d['counts']; assert (c['added'], c['removed'], c['changed'], c['unchanged']) == (0, 0, 0, 15), c
assert d['key'] == 'id' and d['pass'] is True  # the GeoJSON id members 1..15
assert all(p['hausdorff_m'] < 1e-3 and abs(p['change_km2']) < 1e-9 for p in d['parks']), d['parks']
assert d['adjacency'] == [] and d['clusters'] == []
assert abs(d['before']['union_km2'] - d['after']['union_km2']) < 1e-9" "identical ($b)"
done
run compare --db "$A" --against "$TMP/identical.db" --no-tables
expect_status 0 "identical text"
expect_out "0 added, 0 removed, 0 changed, 15 unchanged" "identical text"
expect_out "NO CHANGE" "identical text"

# (2) removed; (7) B is 4 km2 short of 43: exit 1 with the target given, 0 without.
cmpj removed --target-km2 43
expect_status 1 "removed: B fails 43 km2"
py_json "
c = d['counts']; assert (c['added'], c['removed'], c['changed']) == (0, 1, 0), c
[p] = [p for p in d['parks'] if p['status'] == 'removed']
assert p['name'] == 'Lingang Bio-Bay' and p['fid_after'] is None, p
assert abs(p['area_before_km2'] - 4.0) < 1e-3 and p['area_after_km2'] is None
assert d['before']['pass'] and not d['after']['pass'] and d['pass'] is False
assert abs(d['before']['union_km2'] - d['after']['union_km2'] - p['area_before_km2']) < 1e-6" "removed"
cmpj removed
expect_status 0 "removed: no --target-km2, exit 0"

# (3) added: 2.56 km2 more, 3 km from any park (no adjacency, no cluster change).
cmpj added --target-km2 43
expect_status 1 "added: B 6 % over 43 km2"
py_json "
c = d['counts']; assert (c['added'], c['removed'], c['changed'], c['unchanged']) == (1, 0, 0, 15), c
[p] = [p for p in d['parks'] if p['status'] == 'added']
assert p['name'] == 'New Test Park' and p['fid_before'] is None, p
assert abs(p['area_after_km2'] - 2.56) < 0.01, p
assert d['adjacency'] == [] and d['clusters'] == []
# Clark-Evans after is measured in A's study area (here A's parks' hull): a
# park added 3 km out must not change R through a larger hull.
la, lb = d['before']['layout'], d['after']['layout']
assert lb['study_area_km2'] == la['study_area_km2'], (la['study_area_km2'], lb['study_area_km2'])
assert lb['study_area'] == 'before: ' + la['study_area'], lb['study_area']" "added"
# The text output labels each industry's indicator rows with its name.
run compare --db "$A" --against "$TMP/added.db" --no-tables
for g in "integrated circuits" biomedicine "online economy" unknown; do
  expect_out "$g: Clark-Evans R" "added text"
  expect_out "$g: co-location" "added text"
done

# (4) one edge pushed out by 30 m: Hausdorff 30 m (sampling every 0.1 m
# leaves at most 0.05 m; the storage CRS's straight edges bend from the
# geodesics by millimetres over 3 km), area change = the 30 m strip, which
# is edge length x 30 m to the ellipsoid's curvature (1e-6).
for b in bump bump_32651; do
  cmpj "$b" --target-km2 43
  expect_status 0 "bump ($b): +0.2 % passes 43 km2 +- 1 %"
  py_json "
f = json.load(open('$TMP/facts.json'))
c = d['counts']; assert (c['added'], c['removed'], c['changed'], c['unchanged']) == (0, 0, 1, 14), c
[p] = [p for p in d['parks'] if p['status'] == 'changed']
assert p['name'] == 'Big Aircraft Park' and p['what'] == ['boundary', 'area'], p
assert abs(p['hausdorff_m'] - 30.0) < 0.06, p['hausdorff_m']
assert abs(f['strip_m2'] - 30.0 * f['edge_m']) < 1e-4 * f['strip_m2'], f
assert abs(p['change_km2'] * 1e6 - f['strip_m2']) < 1.0, (p['change_km2'] * 1e6, f['strip_m2'])
assert abs(p['change_pct'] - 100 * f['strip_m2'] / (p['area_before_km2'] * 1e6)) < 1e-4, p
assert d['adjacency'] == [] and d['clusters'] == []" "bump ($b)"
done
run compare --db "$A" --against "$TMP/bump.db" --csv --no-tables
expect_status 0 "bump csv"
python3 - "$out" <<'EOF_PY' || fail "bump csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0]) == ["key", "name", "status", "what", "area_before_km2", "area_after_km2",
                         "change_km2", "change_pct", "hausdorff_m"], list(rows[0])
assert len(rows) == 15
[r] = [r for r in rows if r["status"] == "changed"]
assert r["what"] == "boundary,area" and abs(float(r["hausdorff_m"]) - 30) < 0.06, r
EOF_PY

# (5) adjacency: AI Island leaves the Innovative Drug base (40 m apart now)
# and comes down onto Zhangjiang Online; it stays in its cluster.
cmpj adjacency
expect_status 0 "adjacency"
py_json "
got = sorted((a['change'], sorted(a['parks']), a['before'], a['after']) for a in d['adjacency'])
want = sorted([('gained', ['Zhangjiang AI Island', 'Zhangjiang Online'], None, 'shares_edge'),
               ('lost', ['Zhangjiang AI Island', 'Zhangjiang Innovative Drug Industry Base'],
                'shares_edge', None)])
assert got == want, got
# The boundary moved 40 m at the top and as far as the notch floor lies
# below it at the bottom: the Hausdorff distance is the larger.
down = json.load(open('$TMP/facts.json'))['ai_down_m']
assert 40 < down < 100, down
[p] = [p for p in d['parks'] if p['status'] == 'changed']
assert p['name'] == 'Zhangjiang AI Island' and abs(p['hausdorff_m'] - down) < 0.06, (p, down)
assert d['clusters'] == [], d['clusters']" "adjacency gained and lost"

# (6) clusters at 500 m: park 15 200 m from park 14 (merged), AI Island
# taken out of the Zhangjiang cluster, whose other parks stay within 100 m.
cmpj clusters --cluster-m 500
expect_status 0 "clusters"
py_json "
ev = {e['kind']: e for e in d['clusters']}
assert sorted(ev) == ['merged', 'split'] and len(d['clusters']) == 2, d['clusters']
m, s = ev['merged'], ev['split']
p14, p15 = 'Pudong characteristic park 14 (name not published)', 'Pudong characteristic park 15 (name not published)'
assert sorted(m['cluster']['parks']) == [p14, p15], m
assert sorted(map(sorted, (x['parks'] for x in m['parts']))) == [[p14], [p15]], m
zj = ['Zhangjiang AI Island', 'Zhangjiang Data Chain', 'Zhangjiang Innovative Drug Industry Base', 'Zhangjiang Online']
assert sorted(s['cluster']['parks']) == zj, s
assert sorted(map(sorted, (x['parks'] for x in s['parts']))) == [zj[1:], zj[:1]] or \
       sorted(map(sorted, (x['parks'] for x in s['parts']))) == sorted([zj[:1], zj[1:]]), s
assert [a['change'] for a in d['adjacency']] == ['lost'], d['adjacency']" "clusters merged and split"
# At 100 m park 15 is still alone: nothing merges.
cmpj clusters --cluster-m 100
py_json "assert [e['kind'] for e in d['clusters']] == ['split'], d['clusters']" "clusters at 100 m"

# (8) matched by id when both layers have one: a renamed park is the same park.
run compare --db "$TMP/ids_a.db" --against "$TMP/ids_b.db" --json --no-tables
expect_status 0 "ids"
py_json "
assert d['key'] == 'id'
c = d['counts']; assert (c['added'], c['removed'], c['changed']) == (0, 0, 1), c
[p] = [p for p in d['parks'] if p['status'] == 'changed']
assert p['key'] == 'P03' and p['what'] == ['name'] and p['name'] == 'Zhangjiang Pharma Valley', p" "ids"
run compare --db "$TMP/ids_a.db" --against "$TMP/ids_b.db" --key name --json --no-tables
py_json "c = d['counts']; assert (c['added'], c['removed']) == (1, 1), c" "--key name"
run compare --db "$TMP/ids_a.db" --against "$TMP/ids_dup.db" --no-tables
expect_status 3 "duplicate id"
expect_one_line_err "duplicate id"
expect_err "id 'P02'" "duplicate id"
expect_err "ids_dup.db" "duplicate id"
run compare --db "$A" --against "$TMP/names_dup.db" --no-tables
expect_status 3 "duplicate name"
expect_one_line_err "duplicate name"
expect_err "name 'Lingang Marine Innovation Park'" "duplicate name"
run compare --db "$A" --against "$TMP/ids_a.db" --key nosuch --no-tables
expect_status 2 "unknown key field"
run compare --db "$A" --no-tables
expect_status 2 "--against missing"

# (9) the changes layer in B, one feature per park (B's geometry; the
# removed park's from A) plus the changed park's old boundary, and its map.
M="$TMP/mixed.db"
run compare --db "$A" --against "$M"
expect_status 0 "mixed"
expect_out "1 added, 1 removed, 1 changed, 13 unchanged" "mixed text"
sqlite3 -csv "$M" ".load mod_spatialite" \
  "SELECT status, name, printf('%.6f', ST_Area(Transform(geom, 4326), 1) / 1e6), what, summary
   FROM changes ORDER BY status, name" >"$TMP/changes.csv" || fail "changes layer"
python3 - "$TMP/changes.csv" <<'EOF_PY' || fail "changes layer content"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
by = {}
for st, name, km2, what, summ in rows:
    by.setdefault(st, []).append((name, float(km2), what, summ))
assert len(rows) == 17, len(rows)  # 13 unchanged, 1 changed (+ its before), 1 added, 1 removed
assert [n for n, *_ in by["removed"]] == ["Lingang Bio-Bay"] and abs(by["removed"][0][1] - 4.0) < 1e-3
assert [n for n, *_ in by["added"]] == ["New Test Park"]
assert [n for n, *_ in by["changed"]] == ["Big Aircraft Park"] and by["changed"][0][2] == "boundary,area"
assert "moved 30.0 m" in by["changed"][0][3], by["changed"][0]
assert [n for n, *_ in by["before"]] == ["Big Aircraft Park"] and abs(by["before"][0][1] - 5.0) < 1e-3
assert len(by["unchanged"]) == 13
EOF_PY
run render --db "$M" --style "$SRC/styles/compare.json" -o "$TMP/changes.png"
expect_status 0 "render the changes"
# Each status's fill colour is on the page (blended with white by its opacity).
# orange f28e2b and green 59a14f at 0.85, grey c8c8c8 at 0.8, over white.
python3 "$(dirname "$0")/pngpix.py" "$TMP/changes.png" count 6 f49f4b 72af69 d3d3d3 >"$TMP/pix" ||
  fail "changes.png is not a PNG"
read -r orange green grey <"$TMP/pix"
[ "${orange:-0}" -gt 200 ] && [ "${green:-0}" -gt 50 ] && [ "${grey:-0}" -gt 2000 ] ||
  fail "changes.png lacks a status colour (orange $orange, green $green, grey $grey)"
# With --no-tables B is left as it was.
imp adjacency 32651
run compare --db "$A" --against "$TMP/adjacency_32651.db" --no-tables
expect_status 0 "--no-tables"
sqlite3 "$TMP/adjacency_32651.db" "SELECT count(*) FROM sqlite_master WHERE name = 'changes'" |
  grep -qx 1 && fail "--no-tables wrote the changes layer"
run import "$TMP/identical.geojson" --db "$TMP/x.db" --layer changes --quiet
expect_status 2 "changes is a reserved layer name"

finish
