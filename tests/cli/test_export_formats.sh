#!/usr/bin/env bash
# export through the CLI on the shipped data, every layer build writes, every
# format: feature counts with ogrinfo, planar areas against the database,
# styles (layer_styles, .qml/.sld sidecars, KML) well-formed and naming every
# industry of the default style, --t-srs, --style errors.
. "$(dirname "$0")/lib.sh"
OUT="$TMP/b"
run build "$SRC/geodata/pudong_parks.geojson" --outline "$SRC/geodata/pudong_outline.geojson" \
  -o "$OUT" --quiet
[ -s "$OUT/parks.db" ] || { fail "build makes parks.db"; finish; }
DB="$OUT/parks.db"

# What the database holds, per layer (count), via parkmap info --json.
run info --db "$DB" --json
counts=$(python3 -c "
import json; d = json.load(open('$out'))
print(' '.join('%s=%s' % (l['name'], l['features']) for l in d['layers']))")
count_of() { echo "$counts" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
LAYERS="parks outline adjacency qa_issues clusters"
XML_OK() { if command -v xmllint >/dev/null; then xmllint --noout "$1"; else
  python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$1"; fi; }
INDUSTRIES="integrated circuits|biomedicine|artificial intelligence|new-generation IT|high-end manufacturing|online economy|unknown"

for ext in gpkg shp geojson kml fgb csv; do
  run export --db "$DB" -o "$TMP/all_$ext.$ext" --layers all
  expect_status 0 "export --layers all .$ext"
  for l in $LAYERS; do
    case $ext in gpkg | kml) f="$TMP/all_$ext.$ext" lyr=$l ;; *) f="$TMP/all_$ext/$l.$ext" lyr="-al" ;; esac
    n=$(ogrinfo -ro -so "$f" $lyr 2>/dev/null | sed -n 's/^Feature Count: //p' | head -1)
    want=$(count_of $l)
    [ -n "$n" ] || { fail ".$ext $l: ogrinfo cannot read it"; continue; }
    [ "$n" = "$want" ] || fail ".$ext $l: $n features, database has ${want:-no such layer}"
  done
done

# Areas of parks in the storage CRS equal the database's (1e-6 relative).
run area --db "$DB" --json
want=$(python3 -c "import json; print(json.load(open('$out'))['area_km2']['planar'])")
for f in "$TMP/all_gpkg.gpkg" "$TMP/all_shp/parks.shp" "$TMP/all_fgb/parks.fgb"; do
  t=parks
  got=$(ogrinfo -ro -q -dialect SQLite -sql "SELECT sum(ST_Area(geometry))/1e6 AS a FROM \"$t\"" "$f" 2>/dev/null |
    sed -n 's/.*a (Real) = //p')
  [ -n "$got" ] || got=$(ogrinfo -ro -q -dialect SQLite -sql "SELECT sum(ST_Area(geom))/1e6 AS a FROM $t" "$f" |
    sed -n 's/.*a (Real) = //p')
  python3 -c "assert abs($got - $want) / $want < 1e-6" 2>/dev/null || fail "$f: parks area $got km2, database $want"
done

# GeoPackage styles: one default style per layer, QML and SLD well-formed,
# every industry of the default style named in both.
G="$TMP/all_gpkg.gpkg"
ogrinfo -ro -q "$G" -sql "SELECT data_type FROM gpkg_contents WHERE table_name='layer_styles'" |
  grep -q "attributes" || fail "layer_styles registered as attributes"
for l in $LAYERS; do
  for col in styleQML styleSLD; do
    sqlite3 "$G" "SELECT $col FROM layer_styles WHERE f_table_name='$l' AND useAsDefault" >"$TMP/s.xml"
    [ -s "$TMP/s.xml" ] || { fail "no $col for $l"; continue; }
    XML_OK "$TMP/s.xml" || fail "$col of $l is not well-formed"
  done
done
sqlite3 "$G" "SELECT styleQML FROM layer_styles WHERE f_table_name='parks'" >"$TMP/parks.qml"
sqlite3 "$G" "SELECT styleSLD FROM layer_styles WHERE f_table_name='parks'" >"$TMP/parks.sld"
IFS='|'
for i in $INDUSTRIES; do
  grep -qF "value=\"$i\"" "$TMP/parks.qml" || fail "QML lacks category $i"
  grep -qF "<ogc:Literal>$i</ogc:Literal>" "$TMP/parks.sld" || fail "SLD lacks category $i"
done
unset IFS
grep -q 'attr="industry"' "$TMP/parks.qml" || fail "QML categorised on industry"
grep -q '102,194,165,230' "$TMP/parks.qml" || fail "QML has #66c2a5 at opacity 0.9"

# Shapefile sidecars.
for l in $LAYERS; do
  for s in qml sld fields.csv cpg prj; do
    [ -s "$TMP/all_shp/$l.$s" ] || fail "shapefile $l lacks .$s"
  done
  XML_OK "$TMP/all_shp/$l.qml" || fail "$l.qml not well-formed"
  XML_OK "$TMP/all_shp/$l.sld" || fail "$l.sld not well-formed"
done
grep -qx "planned_area_km2,planned_ar" "$TMP/all_shp/parks.fields.csv" || fail "fields.csv maps planned_area_km2"
# The sidecars name fields as the .dbf does: a style on two truncated
# fields (a filter on planned_area_km2, categories on area_source) comes
# out with planned_ar and area_sourc, and the long names nowhere.
cat >"$TMP/short.json" <<'EOF'
{"version": 8, "layers": [{"id": "p", "type": "fill", "source": "parks",
  "filter": [">", ["get", "planned_area_km2"], 1],
  "paint": {"fill-color": ["match", ["get", "area_source"], "news", "#ff0000", "#00ff00"]}}]}
EOF
mkdir "$TMP/short"
run export --db "$DB" -o "$TMP/short/parks.shp" --style "$TMP/short.json"
expect_status 0 "export .shp with a style on truncated fields"
grep -q 'attr="area_sourc"' "$TMP/short/parks.qml" || fail "QML categorised on the short name area_sourc"
for s in qml sld; do
  grep -q 'planned_ar' "$TMP/short/parks.$s" || fail "$s filter names planned_ar"
  grep -q 'area_sourc' "$TMP/short/parks.$s" || fail "$s names area_sourc"
  ! grep -q 'planned_area_km2\|area_source' "$TMP/short/parks.$s" || fail "$s names a field the .dbf lacks"
done

# KML: well-formed, shared styles, names, Chinese text.
XML_OK "$TMP/all_kml.kml" || fail "KML not well-formed"
grep -q '<Style id="parks-0">' "$TMP/all_kml.kml" || fail "KML has per-category styles"
grep -q '<styleUrl>#parks-' "$TMP/all_kml.kml" || fail "KML placemarks use the styles"
grep -q "集成电路设计产业园" "$TMP/all_kml.kml" || fail "KML keeps Chinese text"

# --t-srs on the CLI, and refused where the format fixes the CRS.
run export --db "$DB" -o "$TMP/utm.gpkg" --t-srs EPSG:32651
expect_status 0 "export --t-srs"
ogrinfo -ro -so "$TMP/utm.gpkg" parks | grep -q 'ID\["EPSG",32651\]' || fail "gpkg in EPSG:32651"
run export --db "$DB" -o "$TMP/utm.geojson" --t-srs EPSG:32651
expect_status 2 "GeoJSON refuses another CRS"
expect_one_line_err "GeoJSON refuses another CRS"

# A broken style fails before anything is written.
echo '{"version": 8, "layers": [{"id": "x", "type": "fill", "source": "parks", "paint": {"fill-colr": "red"}}]}' >"$TMP/bad.json"
run export --db "$DB" -o "$TMP/bad.gpkg" --style "$TMP/bad.json"
expect_status 2 "bad style"
[ -e "$TMP/bad.gpkg" ] && fail "bad style wrote an output"

finish
