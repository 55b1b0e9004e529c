#!/usr/bin/env bash
# Bad input and bad usage: one line on stderr naming the file, the documented
# exit status, and an existing database left byte-for-byte as it was.
. "$(dirname "$0")/lib.sh"
DB="$TMP/p.db"

run import "$TMP/nope.geojson" --db "$DB"
expect_status 3 "missing source"
expect_one_line_err "missing source"
expect_err "nope.geojson" "missing source names the file"
[ ! -e "$DB" ] || fail "a failed first import must not create the database"

run import "$SRC/geodata/pudong_parks.geojson"
expect_status 2 "import without --db"

run frobnicate
expect_status 2 "unknown command"

run check --db "$TMP/none.db"
expect_status 4 "missing database"
expect_one_line_err "missing database"

run import "$SRC/geodata/pudong_parks.geojson" --db "$DB"
expect_status 0 "good import"
sum_before=$(sha256sum "$DB" | cut -d' ' -f1)

run import "$SRC/geodata/pudong_parks.geojson" --db "$DB"
expect_status 2 "existing layer without --overwrite"
expect_err "--overwrite" "hint at --overwrite"

printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[121.6,31.2],[121.61,31.2]' >"$TMP/trunc.geojson"
run import "$TMP/trunc.geojson" --db "$DB" --overwrite
expect_status 3 "truncated JSON"
expect_one_line_err "truncated JSON"
expect_err "trunc.geojson" "truncated JSON names the file"

cat >"$TMP/point.geojson" <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"ok"},"geometry":{"type":"Polygon","coordinates":[[[121.6,31.2],[121.61,31.2],[121.61,31.21],[121.6,31.21],[121.6,31.2]]]}},
{"type":"Feature","properties":{"name":"pt"},"geometry":{"type":"Point","coordinates":[121.6,31.2]}}]}
J
run import "$TMP/point.geojson" --db "$DB" --overwrite
expect_status 3 "point geometry"
expect_err "feature 1" "names the feature"
expect_err "Point" "names the type"

cat >"$TMP/projected.geojson" <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"p"},"geometry":{"type":"Polygon","coordinates":[[[366000,3453000],[367000,3453000],[367000,3454000],[366000,3454000],[366000,3453000]]]}}]}
J
run import "$TMP/projected.geojson" --db "$DB" --overwrite
expect_status 3 "projected coordinates labelled WGS84"
expect_err "--s-srs" "suggests --s-srs"

run import "$SRC/geodata/pudong_parks.geojson" --db "$DB" --overwrite --t-srs EPSG:99999999
expect_status 2 "unknown CRS"
expect_one_line_err "unknown CRS"

sum_after=$(sha256sum "$DB" | cut -d' ' -f1)
[ "$sum_before" = "$sum_after" ] || fail "failed imports changed the database"
ls "$TMP" | grep -q 'tmp-' && fail "temporary files left behind"

# Issue 16 item 16: a bad number is one usage line, not two; a layer name
# of spaces is refused as a layer name (2), not a raw SpatiaLite error (4).
for opt in --dpi --width --height; do
  run render --db "$DB" -o "$TMP/m.png" $opt abc
  expect_status 2 "render $opt abc"
  expect_one_line_err "render $opt abc"
  expect_err "$opt must be" "render $opt abc says the range"
done
for layer in " " " parks" "parks "; do
  run import "$SRC/geodata/pudong_parks.geojson" --db "$DB" --layer "$layer" --overwrite --quiet
  expect_status 2 "--layer '$layer'"
  expect_one_line_err "--layer '$layer'"
  expect_err "bad layer name" "--layer '$layer' names the fault"
  expect_err "starts or ends with a space" "--layer '$layer' says why"
done
sum_after=$(sha256sum "$DB" | cut -d' ' -f1)
[ "$sum_before" = "$sum_after" ] || fail "refused layer names changed the database"

# An output path that is a directory is a usage error for render and export
# alike, with or without --overwrite.
mkdir -p "$TMP/dir.png" "$TMP/dir.geojson"
for mode in "" --overwrite; do
  run render --db "$DB" -o "$TMP/dir.png" $mode
  expect_status 2 "render into a directory $mode"
  expect_one_line_err "render into a directory $mode"
  expect_err "output is a directory: $TMP/dir.png" "render into a directory $mode says so"
  run export --db "$DB" -o "$TMP/dir.geojson" $mode
  expect_status 2 "export into a directory $mode"
  expect_err "output is a directory: $TMP/dir.geojson" "export into a directory $mode says so"
done

# --skip-invalid skips and counts instead of failing.
run import "$TMP/point.geojson" --db "$TMP/skip.db" --skip-invalid
expect_status 0 "--skip-invalid"
expect_out "skipped 1" "skip count"

finish
