#!/usr/bin/env bash
# The main job end to end: parkmap build on the shipped data.
. "$(dirname "$0")/lib.sh"
OUT="$TMP/out"
run build "$SRC/geodata/pudong_parks.geojson" --outline "$SRC/geodata/pudong_outline.geojson" \
  -o "$OUT"
expect_status 0 "build passes on the shipped data"
expect_out "15 imported, stored in EPSG:4550" "report: parks and CRS"
expect_out "against 43.000 km2" "report: the target"
expect_out "2 pairs share a boundary" "report: adjacency"
expect_out "check:        PASS" "report: verdict"
for f in parks.db map.png map.svg parks.gpkg; do
  [ -s "$OUT/$f" ] || fail "build wrote $f"
done
ogrinfo -ro -so "$OUT/parks.gpkg" >"$TMP/layers.txt" 2>&1
for l in parks outline adjacency qa_issues clusters; do
  grep -q "^[0-9]*: $l " "$TMP/layers.txt" || fail "parks.gpkg holds layer $l"
done
# The render style travels with the data: QGIS reads layer_styles.
ogrinfo -ro -q "$OUT/parks.gpkg" -sql \
  "SELECT styleQML FROM layer_styles WHERE f_table_name = 'parks' AND useAsDefault = 1" \
  >"$TMP/qml.txt" 2>&1
grep -q 'attr="industry"' "$TMP/qml.txt" || fail "parks style is categorised by industry"
grep -q 'value="integrated circuits"' "$TMP/qml.txt" || fail "parks style names the categories"

run build "$SRC/geodata/pudong_parks.geojson" -o "$OUT" --target-km2 50 --json
expect_status 1 "a 50 km2 target fails the build's check"
py_json "assert d['pass'] is False and d['files'][-1].endswith('parks.gpkg')" "build --json"

finish
