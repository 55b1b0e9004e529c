#!/usr/bin/env bash
# The exported styles in real QGIS, headless: `parkmap build` on the shipped
# Pudong data, then `export --layers all` to Shapefiles; tests/qgis/check_styles.py
# opens every GeoPackage layer and the Shapefile the way QGIS's Add Vector
# Layer does (default style from layer_styles, .qml sidecar) and checks the
# parks renderer, categories and colours against styles/default.json, the
# outlines, the labels, the .sld, and a QGIS rendering's colours against
# parkmap's own map. QGIS is not in scripts/setup.sh (too heavy for every CI
# run): without it this test is skipped (exit 77, SKIP_RETURN_CODE).
# Install: apt-get install python3-qgis qgis-providers; run: ctest -R qgis.
. "$(dirname "$0")/lib.sh"

# Debian's interpreter (a python3 earlier on PATH may lack Debian's modules);
# PM_QGIS_PYTHON overrides it.
QPY=${PM_QGIS_PYTHON:-/usr/bin/python3}
if ! "$QPY" -c 'import qgis.core' >/dev/null 2>&1; then
  echo "skip: QGIS is not installed (apt-get install python3-qgis qgis-providers)"
  exit 77
fi
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR="$TMP/xdg" HOME="$TMP/home"
mkdir -p "$XDG_RUNTIME_DIR" "$HOME" && chmod 700 "$XDG_RUNTIME_DIR"

OUT="$TMP/b"
run build "$SRC/geodata/pudong_parks.geojson" --outline "$SRC/geodata/pudong_outline.geojson" \
  -o "$OUT" --quiet
[ -s "$OUT/parks.gpkg" ] && [ -s "$OUT/map.png" ] || { fail "build writes parks.gpkg and map.png"; finish; }
mkdir -p "$TMP/shp"
run export --db "$OUT/parks.db" -o "$TMP/shp/parks.shp" --layers all
expect_status 0 "export --layers all .shp"

# PM_QGIS_PNG=FILE keeps QGIS's rendering for a look beside parkmap's map.png.
png=${PM_QGIS_PNG:-$TMP/qgis.png}
"$QPY" "$SRC/tests/qgis/check_styles.py" "$OUT/parks.gpkg" "$TMP/shp/parks" \
  "$SRC/styles/default.json" "$png" "$OUT/map.png" >"$TMP/qgis.out" 2>"$TMP/qgis.err"
qstatus=$?
cat "$TMP/qgis.out"
if [ "$qstatus" -ne 0 ]; then
  out="$TMP/qgis.out" err="$TMP/qgis.err"
  fail "QGIS checks (tests/qgis/check_styles.py exit status $qstatus)"
fi
finish
