#!/usr/bin/env bash
# A layer no single projected CRS fits (issue 16 item 8): the shipped
# Pudong parks plus two parks in Brasilia, 4 m apart. One UTM zone put
# Pudong's planar areas 250 % off and its distances 10x; now import says
# so loudly and stores the layer in WGS 84, and distances are geodesic
# whatever the storage CRS. Truths from GeographicLib (GeodSolve,
# Planimeter), tolerances from the geometry: the two parks face each other
# along meridians, so their distance is the geodesic along the parallel at
# the corner nearest the pole (15.8 S).
. "$(dirname "$0")/lib.sh"
command -v GeodSolve >/dev/null || { echo "GeodSolve missing" >&2; exit 77; }

gap_deg=0.0000373832 # 4 m of longitude at 15.8 S, near enough; the truth is measured below
python3 - "$SRC/geodata/pudong_parks.geojson" "$TMP/wide.geojson" "$gap_deg" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
gap = float(sys.argv[3])
def park(fid, name, x0):
    ring = [[x0, -15.8], [x0 + 0.01, -15.8], [x0 + 0.01, -15.79], [x0, -15.79], [x0, -15.8]]
    return {"type": "Feature", "properties": {"id": fid, "name": name, "industry": "logistics",
            "planned_km2": 1.18}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
d["features"] += [park(101, "Brasilia A", -47.91), park(102, "Brasilia B", -47.90 + gap)]
json.dump(d, open(sys.argv[2], "w"))
PY
truth=$(echo "-15.8 -47.90 -15.8 $(python3 -c "print(-47.90 + $gap_deg)")" | GeodSolve -i -p 9 |
  awk '{print $3}')

run import "$TMP/wide.geojson" --db "$TMP/w.db"
expect_status 0 "import a layer spanning Pudong and Brasilia"
expect_out "-> EPSG:4326" "a layer no zone fits is stored in WGS 84"
[ "$(grep -c 'warning: .*no single projected CRS fits it' "$err")" -eq 1 ] ||
  fail "one loud warning that no projected CRS fits"
expect_err "outside EPSG:32637's domain" "the warning names the zone that would have been chosen"

# Layout: the two Brasilia parks are the truth's distance apart, Pudong's
# IC parks 33,831 m (the geodesic; see test_qa_layout.sh), not the
# 63,767 m the Brasilia-centred zone gave.
run layout --db "$TMP/w.db" --no-tables --json
expect_status 0 "layout on the wide layer"
py_json "
p = {x['name']: x for x in d['parks']}
t = $truth
for n in ('Brasilia A', 'Brasilia B'):
    assert abs(p[n]['nearest_same_m'] - t) < 1e-3, (n, p[n]['nearest_same_m'], t)
assert abs(p['Shanghai IC Design Industrial Park']['nearest_same_m'] - 33831.07) < 0.5, p
" "geodesic distances in a WGS 84 layer"

# Check: the 4 m pair is a near miss (the default 5 m tolerance), and the
# Brasilia parks' areas are Planimeter's.
run check --db "$TMP/w.db" --json
py_json "
nm = [q for q in d['qa'] if q['kind'] == 'near_miss']
assert any(sorted(q['fids']) == [15, 16]
           for q in nm), d['qa']
" "the 4 m pair is found"
area=$(printf '%s\n' "-15.8 -47.91" "-15.8 -47.90" "-15.79 -47.90" "-15.79 -47.91" | Planimeter |
  awk '{print ($3 < 0 ? -$3 : $3)}')
run area --db "$TMP/w.db" --json
py_json "
p = [x for x in d['parks'] if x['name'] == 'Brasilia A'][0]
assert abs(p['ellipsoidal_km2'] * 1e6 - $area) < 1e-6 * $area, (p, $area)
" "Brasilia A's area on the ellipsoid"

# An explicit projected CRS that does not fit is kept, with the warning,
# and layout's distances stay geodesic in it.
run import "$TMP/wide.geojson" --db "$TMP/utm.db" --t-srs EPSG:32651
expect_status 0 "import into an explicit zone"
expect_err "EPSG:32651 does not fit" "an explicit CRS that does not fit is warned about"
run layout --db "$TMP/utm.db" --no-tables --json
py_json "
p = {x['name']: x for x in d['parks']}
assert abs(p['Brasilia A']['nearest_same_m'] - $truth) < 1e-2, p['Brasilia A']
" "geodesic distances in a CRS that does not fit"

# A small layer in a zone far from its own (UTM 1N for Pudong, 61 deg
# away: k = 1.52 there) is warned about; a conformal conic whose standard
# parallels lie near Pudong's latitude (California's, in US feet) is true
# to 0.2 % there and is not.
run import "$SRC/geodata/pudong_parks.geojson" --db "$TMP/u1.db" --t-srs EPSG:32601
expect_status 0 "import into UTM 1N"
expect_err "EPSG:32601's scale is off by up to 5" "UTM 1N for Pudong is warned about"
run import "$SRC/geodata/pudong_parks.geojson" --db "$TMP/ca.db" --t-srs EPSG:2229
expect_status 0 "import into California zone 5 (US feet)"
grep -q "does not fit" "$err" && fail "a CRS in feet true to 0.2 % was called unfit"

# The shipped data alone fit their zone: no warning.
run import "$SRC/geodata/pudong_parks.geojson" --db "$TMP/p.db"
grep -q "fit" "$err" && fail "the shipped parks got a fit warning"
finish
