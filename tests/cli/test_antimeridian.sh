#!/usr/bin/env bash
# A park across the antimeridian (a Fiji-like 1 km x ~1.1 km box at
# 16.5 S): export writes it as RFC 7946 asks, cut at 180 into two halves,
# and importing that file must give the same park back (issue 16 item 12).
# Continuous longitudes past 180, the other common way to write it, import
# too. The area of a 0.01 deg x 0.01 deg box at 16.5 S is known to well
# under 1e-6 relative (GeographicLib's Planimeter on the same ring).
. "$(dirname "$0")/lib.sh"
command -v Planimeter >/dev/null || { echo "Planimeter missing" >&2; exit 77; }

box() { # $1 $2: the east longitude as written (-179.995 or 180.005)
  cat <<JSON
{"type":"FeatureCollection","features":[{"type":"Feature",
 "properties":{"id":1,"name":"Dateline park","industry":"x"},
 "geometry":{"type":"Polygon","coordinates":[[[179.995,-16.5],[$1,-16.5],
 [$1,-16.49],[179.995,-16.49],[179.995,-16.5]]]}}]}
JSON
}
truth=$(printf '%s\n' "-16.5 179.995" "-16.5 180.005" "-16.49 180.005" "-16.49 179.995" |
  Planimeter | awk '{printf "%.9f", ($3 < 0 ? -$3 : $3) / 1e6}')
area_of() { # database -> the union area in km2 from check --json
  run check --db "$1" --json
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["area_km2"]["union"])' "$out"
}
near() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(abs(a-b) > 1e-6*b)" "$1" "$2"; }

box -179.995 >"$TMP/wrapped.geojson"
box 180.005 >"$TMP/continuous.geojson"
for form in wrapped continuous; do
  run import "$TMP/$form.geojson" --db "$TMP/$form.db" --quiet
  expect_status 0 "import a park across 180 written $form"
  a=$(area_of "$TMP/$form.db")
  near "$a" "$truth" || fail "$form: area $a km2, Planimeter says $truth"
done

run export --db "$TMP/wrapped.db" -o "$TMP/out.geojson"
expect_status 0 "export the park across 180"
python3 - "$TMP/out.geojson" <<'PY' || fail "the export is not an RFC 7946 cut MultiPolygon"
import json, sys
g = json.load(open(sys.argv[1]))["features"][0]["geometry"]
assert g["type"] == "MultiPolygon" and len(g["coordinates"]) == 2, g
xs = [p[0] for part in g["coordinates"] for p in part[0]]
assert max(xs) == 180.0 and min(xs) == -180.0, xs
PY
run import "$TMP/out.geojson" --db "$TMP/again.db" --quiet
expect_status 0 "re-import the cut MultiPolygon"
a=$(area_of "$TMP/again.db")
near "$a" "$truth" || fail "round trip: area $a km2, Planimeter says $truth"
run info --db "$TMP/again.db"
expect_status 0 "info on the round trip"
# Exported again it is cut again, not written as one ring across the globe.
run export --db "$TMP/again.db" -o "$TMP/out2.geojson"
python3 - "$TMP/out2.geojson" <<'PY' || fail "the second export is not cut at 180"
import json, sys
g = json.load(open(sys.argv[1]))["features"][0]["geometry"]
assert g["type"] == "MultiPolygon" and len(g["coordinates"]) == 2, g
PY

# Two separate parks either side of 180 that do not meet stay two parts of
# one feature only if the file says so; two halves that do not touch the
# line are not merged into anything.
cat >"$TMP/apart.geojson" <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":2},
 "geometry":{"type":"MultiPolygon","coordinates":[
 [[[179.99,-16.5],[179.995,-16.5],[179.995,-16.49],[179.99,-16.49],[179.99,-16.5]]],
 [[[-179.995,-16.5],[-179.99,-16.5],[-179.99,-16.49],[-179.995,-16.49],[-179.995,-16.5]]]]}}]}
JSON
run import "$TMP/apart.geojson" --db "$TMP/apart.db" --quiet
expect_status 0 "a two-part park near 180 that does not cross it"
run info --db "$TMP/apart.db"
finish
