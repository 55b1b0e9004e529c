#!/usr/bin/env bash
# render and export through the CLI on the shipped data: sizes, colours,
# vector output, no clobbering, and exports re-read with GDAL.
. "$(dirname "$0")/lib.sh"
DB="$TMP/p.db"
PNGPIX="python3 $(dirname "$0")/pngpix.py"
run import "$SRC/geodata/pudong_parks.geojson" --db "$DB"
run import "$SRC/geodata/pudong_outline.geojson" --db "$DB" --layer outline --t-srs EPSG:4550
expect_status 0 "import outline"

run render --db "$DB" -o "$TMP/m.png" --width 800 --height 600
expect_status 0 "render png"
[ "$($PNGPIX "$TMP/m.png" size)" = "800 600" ] || fail "png has the requested size"
run render --db "$DB" -o "$TMP/big.png" --width 1600 --height 1200
[ "$($PNGPIX "$TMP/big.png" size)" = "1600 1200" ] || fail "png has the requested size"
# Park fills are the style's industry colours at fill-opacity 0.9 over the
# outline's #f3f0e8: expect the blend (within 3 levels of rounding and
# anti-aliasing), in a meaningful number of pixels for each big class.
blends=$(python3 -c "
b = bytes.fromhex('f3f0e8')
for c in ('66c2a5', 'fc8d62', 'a6d854'):
    c = bytes.fromhex(c)
    print(''.join('%02x' % round(0.9 * c[i] + 0.1 * b[i]) for i in range(3)))")
# shellcheck disable=SC2086
for n in $($PNGPIX "$TMP/big.png" count 3 $blends); do
  [ "$n" -gt 200 ] || fail "a park colour covers only $n pixels (blends: $blends)"
done
# A colour absent from the style is absent from the map.
[ "$($PNGPIX "$TMP/big.png" count 3 ff00ff)" -eq 0 ] || fail "unexpected magenta pixels"

sum=$(sha256sum "$TMP/m.png")
run render --db "$DB" -o "$TMP/m.png" --width 400 --height 300
expect_status 2 "render refuses to overwrite"
[ "$(sha256sum "$TMP/m.png")" = "$sum" ] || fail "refused render changed the file"

run render --db "$DB" -o "$TMP/m.svg"
expect_status 0 "render svg"
grep -q "<svg" "$TMP/m.svg" || fail "svg is svg"
grep -q "<image" "$TMP/m.svg" && fail "svg embeds a raster image"
rsvg-convert -o "$TMP/svg.png" "$TMP/m.svg" || fail "rsvg-convert reads the svg"

run render --db "$DB" -o "$TMP/m.pdf"
expect_status 0 "render pdf"
pdftoppm -r 50 -png "$TMP/m.pdf" "$TMP/pdf" || fail "pdftoppm reads the pdf"
pdfimages -list "$TMP/m.pdf" 2>/dev/null | awk 'NR>2' | grep -q . && fail "pdf embeds a raster image"

run export --db "$DB" -o "$TMP/parks.gpkg"
expect_status 0 "export gpkg"
ogrinfo -ro -so "$TMP/parks.gpkg" parks >"$TMP/info.txt" 2>&1 || fail "ogrinfo opens the gpkg"
grep -q "Feature Count: 15" "$TMP/info.txt" || fail "gpkg has 15 features"
grep -q 'ID\["EPSG",4550\]' "$TMP/info.txt" || fail "gpkg is in EPSG:4550"
ogrinfo -ro -al "$TMP/parks.gpkg" parks 2>/dev/null | grep -q "集成电路设计产业园" ||
  fail "gpkg keeps Chinese names"
# Planar area of the export equals the database's within 1e-6 relative:
# the same coordinates in the same CRS.
run area --db "$DB" --json
want=$(python3 -c "import json; print(json.load(open('$out'))['area_km2']['planar'])")
got=$(ogrinfo -ro -q -dialect SQLite -sql "SELECT sum(ST_Area(geom))/1e6 AS a FROM parks" \
  "$TMP/parks.gpkg" | sed -n 's/.*a (Real) = //p')
python3 -c "assert abs($got - $want) / $want < 1e-6, ($got, $want)" || fail "gpkg areas ($got vs $want)"

run export --db "$DB" -o "$TMP/parks.gpkg"
expect_status 2 "export refuses to overwrite"
run export --db "$DB" -o "$TMP/parks.gpkg" --overwrite
expect_status 0 "export --overwrite"

for ext in shp geojson kml; do
  run export --db "$DB" -o "$TMP/parks.$ext"
  expect_status 0 "export $ext"
  ogrinfo -ro -al -so "$TMP/parks.$ext" >"$TMP/info.txt" 2>&1 || fail "ogrinfo opens .$ext"
  grep -q "Feature Count: 15" "$TMP/info.txt" || fail ".$ext has 15 features"
done
[ -s "$TMP/parks.cpg" ] && grep -qi "utf-8" "$TMP/parks.cpg" || fail "shapefile .cpg says UTF-8"
[ -s "$TMP/parks.prj" ] || fail "shapefile has a .prj"
grep -q '"type": *"FeatureCollection"' "$TMP/parks.geojson" || fail "geojson"
grep -q '"crs"' "$TMP/parks.geojson" && fail "RFC 7946 GeoJSON has no crs member"
grep -q "121\.6" "$TMP/parks.geojson" || fail "geojson is in lon/lat"

run export --db "$DB" -o "$TMP/parks.xyz"
expect_status 2 "unknown export format"
expect_one_line_err "unknown export format"

# Issue 16 item 14: style numbers are range-checked at parse time (a
# text-size of 1e6 made FreeType fail mid-render, -5 and NaN were taken);
# a value from the data is clamped instead. A UTF-8 BOM is skipped; nesting
# goes to 64 levels.
sty() { # sty FILE PROP-JSON-OBJECT [layer type]: a one-layer style
  python3 - "$1" "$2" "${3:-symbol}" <<'PY'
import json, sys
blk = "paint" if sys.argv[3] == "fill" else "layout"
lay = {"id": "l", "type": sys.argv[3], "source": "parks", blk: json.loads(sys.argv[2])}
if sys.argv[3] == "symbol":
    lay["layout"].setdefault("text-field", ["get", "name"])
open(sys.argv[1], "w").write(json.dumps({"version": 8, "layers": [lay]}))
PY
}
for v in 1e6 -5 '["interpolate", ["linear"], ["get", "enterprises"], 0, 10, 100, 2000]' \
  '["case", ["has", "name"], 12, 1e9]'; do
  sty "$TMP/s.json" "{\"text-size\": $v}"
  run render --db "$DB" --style "$TMP/s.json" -o "$TMP/bad.png"
  expect_status 2 "text-size $v"
  expect_one_line_err "text-size $v"
  expect_err "text-size" "text-size $v names the key"
  expect_err "out of range [0, 1000]" "text-size $v says the range"
  [ ! -e "$TMP/bad.png" ] || fail "text-size $v: wrote a file"
done
printf '{"version": 8, "layers": [{"id": "l", "type": "fill", "source": "parks", "paint": {"fill-opacity": NaN}}]}' >"$TMP/s.json"
run render --db "$DB" --style "$TMP/s.json" -o "$TMP/bad.png"
expect_status 2 "fill-opacity NaN"
expect_one_line_err "fill-opacity NaN"
sty "$TMP/s.json" '{"fill-opacity": 1.5}' fill
run render --db "$DB" --style "$TMP/s.json" -o "$TMP/bad.png"
expect_status 2 "fill-opacity 1.5"
expect_err "out of range [0, 1]" "fill-opacity 1.5 says the range"
cp "$DB" "$TMP/huge.db"
sqlite3 "$TMP/huge.db" "UPDATE parks SET enterprises = 1000000"
sty "$TMP/s.json" '{"text-size": ["get", "enterprises"]}'
run render --db "$TMP/huge.db" --style "$TMP/s.json" -o "$TMP/huge.png"
expect_status 0 "text-size 1e6 from the data is clamped"
[ "$(wc -l <"$err")" -eq 0 ] || fail "text-size from the data: stderr not empty"
sty "$TMP/s.json" '{"fill-opacity": 0.5}' fill
printf '\357\273\277' | cat - "$TMP/s.json" >"$TMP/bom.json"
run render --db "$DB" --style "$TMP/bom.json" -o "$TMP/bom.png"
expect_status 0 "a style with a UTF-8 BOM"
python3 - "$TMP/deep.json" 55 <<'PY'
import json, sys
e = 0.5
for _ in range(int(sys.argv[2])):
    e = ["coalesce", e]
json.dump({"version": 8, "layers": [{"id": "l", "type": "fill", "source": "parks",
  "paint": {"fill-opacity": e}}]}, open(sys.argv[1], "w"))
PY
run render --db "$DB" --style "$TMP/deep.json" -o "$TMP/deep.png"
expect_status 0 "a style nested 60 levels (55 expressions)"
python3 - "$TMP/deep.json" 62 <<'PY'
import json, sys
e = 0.5
for _ in range(int(sys.argv[2])):
    e = ["coalesce", e]
json.dump({"version": 8, "layers": [{"id": "l", "type": "fill", "source": "parks",
  "paint": {"fill-opacity": e}}]}, open(sys.argv[1], "w"))
PY
run render --db "$DB" --style "$TMP/deep.json" -o "$TMP/deep.png"
expect_status 2 "a style nested 67 levels"
expect_err "nesting too deep" "a style nested 70 levels says why"

# Issue 16 item 11: a 700,000-character label overflowed Pango's int
# extents, escaped the collision checks and was drawn across the map. Cut to
# 500 characters it is too wide for the frame and dropped: the map must be
# the same as with no label on that park.
python3 - "$TMP/longlab.geojson" "$TMP/lab.json" <<'PY'
import json, os, sys
d = json.load(open(os.environ["PM_SOURCE_DIR"] + "/geodata/pudong_parks.geojson"))
d["features"][0]["properties"]["name"] = "x" * 700000
json.dump(d, open(sys.argv[1], "w"))
json.dump({"version": 8, "page": {"background": "#ffffff"}, "layers": [{"id": "l",
  "type": "symbol", "source": "parks", "layout": {"text-field": ["get", "name"], "text-size": 16},
  "paint": {"text-color": "#ff0000", "text-halo-width": 0}}]}, open(sys.argv[2], "w"))
PY
run import "$TMP/longlab.geojson" --db "$TMP/longlab.db" --quiet
expect_status 0 "import a 700,000-character name"
run render --db "$TMP/longlab.db" --style "$TMP/lab.json" -o "$TMP/long.png" --width 800 --height 600
expect_status 0 "render a 700,000-character label"
sqlite3 "$TMP/longlab.db" "UPDATE parks SET name = '' WHERE length(name) > 1000"
run render --db "$TMP/longlab.db" --style "$TMP/lab.json" -o "$TMP/nolab.png" --width 800 --height 600
expect_status 0 "render without the long label"
[ "$($PNGPIX "$TMP/long.png" count 60 ff0000)" = "$($PNGPIX "$TMP/nolab.png" count 60 ff0000)" ] ||
  fail "the 700,000-character label was drawn ($($PNGPIX "$TMP/long.png" count 60 ff0000) red pixels, $($PNGPIX "$TMP/nolab.png" count 60 ff0000) without it)"

# Sweep 11: a symbolic link as the output is followed, as export and --db
# follow theirs: the map it points to is replaced, the link stays a link; a
# link to nothing is refused rather than replaced by a file.
mkdir -p "$TMP/real"
printf 'old' >"$TMP/real/m.png"
ln -s real/m.png "$TMP/link.png"
run render --db "$DB" -o "$TMP/link.png" --overwrite --width 400 --height 300
expect_status 0 "render through a symbolic link"
[ -L "$TMP/link.png" ] || fail "render replaced the symbolic link by a file"
[ "$(head -c 4 "$TMP/real/m.png" | tail -c 3)" = "PNG" ] || fail "render left the linked map as it was"
ls "$TMP/real" | grep -q 'tmp-' && fail "render left a temporary file beside the linked map"
run render --db "$DB" -o "$TMP/link.png" --width 400 --height 300
expect_status 2 "render through a link to an existing map without --overwrite"
ln -s nowhere/m.png "$TMP/dangling.png"
run render --db "$DB" -o "$TMP/dangling.png" --width 400 --height 300
expect_status 4 "render through a link to nothing"
expect_one_line_err "render through a link to nothing"
[ -L "$TMP/dangling.png" ] || fail "render replaced a dangling link"

# Sweep 2: the CSV driver writes NAME.prj; beside a Shapefile NAME.shp that
# .prj is the Shapefile's, and --overwrite for NAME.csv must not replace it
# (the Shapefile would be wrongly georeferenced). Refused, nothing written.
run export --db "$DB" -o "$TMP/pk.shp" --t-srs EPSG:4326
expect_status 0 "export a Shapefile in WGS 84"
prj=$(sha256sum "$TMP/pk.prj" | cut -d' ' -f1)
run export --db "$DB" -o "$TMP/pk.csv" --overwrite
expect_status 2 "export a CSV over a Shapefile's .prj"
expect_err "belongs to" "the refusal names the Shapefile"
expect_one_line_err "export a CSV over a Shapefile's .prj"
[ "$(sha256sum "$TMP/pk.prj" | cut -d' ' -f1)" = "$prj" ] || fail "the CSV export replaced the Shapefile's .prj"
[ -e "$TMP/pk.csv" ] && fail "the refused CSV export wrote pk.csv"
run export --db "$DB" -o "$TMP/pk2.csv"
expect_status 0 "export a CSV with a name of its own"
[ -e "$TMP/pk2.prj" ] || fail "the CSV export wrote no .prj"
run export --db "$DB" -o "$TMP/pk2.csv" --overwrite
expect_status 0 "replace a CSV and its own .prj"

finish
