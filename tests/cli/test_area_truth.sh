#!/usr/bin/env bash
# Ellipsoidal areas agree with an independent geodesic computation
# (GeographicLib's Planimeter, Debian geographiclib-tools) within 0.01 % on
# polygons from 1 m² to 1,000 km², from the equator to 70°N, across the
# antimeridian and with a hole. Each polygon is imported on its own so
# --t-srs auto picks its local zone.
. "$(dirname "$0")/lib.sh"
command -v Planimeter >/dev/null || { echo "Planimeter missing: install geographiclib-tools" >&2; exit 1; }

python3 - "$TMP" <<'PY'
import json, math, sys
tmp = sys.argv[1]
def box(lon, lat, d_m, lon2=None):
    dlat = d_m / 111320.0
    dlon = d_m / (111320.0 * math.cos(math.radians(lat)))
    x0, x1 = lon, lon + dlon
    if x1 > 180: x1 -= 360
    return [[x0, lat], [x1, lat], [x1, lat + dlat], [x0, lat + dlat], [x0, lat]]
cases = {
    "m2_equator": [box(10.0, 0.0, 1.0)],
    "ha_pudong": [box(121.6, 31.2, 100.0)],
    "km2_pudong": [box(121.6, 31.2, 1000.0)],
    "km2_1000_pudong": [box(121.5, 31.0, 31623.0)],
    "km2_70n": [box(25.0, 70.0, 5000.0)],
    "km2_1000_70n": [box(25.0, 69.9, 31623.0)],
    "antimeridian": [box(179.99, -17.0, 4000.0)],
    "with_hole": [box(121.6, 31.2, 2000.0), box(121.605, 31.205, 500.0)[::-1]],
}
for name, rings in cases.items():
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature",
          "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": rings}}]}
    json.dump(fc, open(f"{tmp}/{name}.geojson", "w"))
    with open(f"{tmp}/{name}.rings", "w") as f:
        for i, r in enumerate(rings):
            f.write("\n".join("%.12f %.12f" % (lat, lon) for lon, lat in r[:-1]) + "\n\n")
PY

for f in "$TMP"/*.geojson; do
  name=$(basename "$f" .geojson)
  run import "$f" --db "$TMP/$name.db"
  expect_status 0 "import $name"
  run area --db "$TMP/$name.db" --json
  expect_status 0 "area $name"
  got=$(python3 -c "import json; print(json.load(open('$out'))['parks'][0]['ellipsoidal_km2'] * 1e6)")
  # Planimeter reads one ring per blank-line-separated block; the first is
  # the shell, the rest holes.
  want=$(Planimeter -p 12 <"$TMP/$name.rings" | awk 'NR==1 {a=($3<0?-$3:$3)} NR>1 && $1>0 {h+=($3<0?-$3:$3)} END {printf "%.6f", a-h}')
  python3 -c "
got, want = $got, $want
assert abs(got - want) / want < 1e-4, (got, want, (got - want) / want)
" 2>"$TMP/py.err" || fail "$name: parkmap $got m2, Planimeter $want m2 ($(tail -1 "$TMP/py.err"))"
done

# A storage CRS unfit for area is accepted with a loud warning, and the
# check still measures on the ellipsoid.
run import "$TMP/km2_pudong.geojson" --db "$TMP/merc.db" --t-srs EPSG:3857
expect_status 0 "import into Web Mercator"
expect_err "unfit for measuring area" "loud warning for EPSG:3857"
run area --db "$TMP/merc.db" --json
py_json "
p = d['parks'][0]
assert p['planar_diff_pct'] > 30, p          # Web Mercator at 31N: +36 %
assert abs(p['ellipsoidal_km2'] - 1.0) < 0.01, p
" "ellipsoidal area survives a Mercator store"
expect_err "unfit for measuring area" "area warns about the storage CRS"

finish
