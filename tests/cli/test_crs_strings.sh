#!/usr/bin/env bash
# CRS arguments as GDAL users write them: PROJ strings without +type=crs are
# taken (ogr2ogr takes them), and what PROJ refuses is said honestly.
. "$(dirname "$0")/lib.sh"
DB="$TMP/p.db"
PARKS="$SRC/geodata/pudong_parks.geojson"

run import "$PARKS" --db "$DB" --s-srs "+proj=longlat +datum=WGS84"
expect_status 0 "--s-srs PROJ string without +type=crs"

run info --db "$DB" --json
py_json "assert d['layers'][0]['features'] == 15" "15 parks imported"

run export --db "$DB" -o "$TMP/tm.gpkg" --t-srs "+proj=tmerc +lon_0=121.7 +ellps=WGS84"
expect_status 0 "export --t-srs PROJ string without +type=crs"
[ -s "$TMP/tm.gpkg" ] || fail "export with a PROJ string wrote nothing"

# A PROJ string equivalent to an EPSG CRS is that CRS.
run import "$PARKS" --db "$TMP/u.db" --t-srs "+proj=utm +zone=51 +datum=WGS84"
expect_status 0 "storage CRS as a PROJ string equal to EPSG:32651"
expect_out "EPSG:32651" "identified as EPSG:32651"

run import "$PARKS" --db "$TMP/q.db" --t-srs "+proj=tmerc +lon_0=121.7 +ellps=WGS84"
expect_status 2 "storage CRS as a PROJ string with no EPSG match"
expect_one_line_err "storage CRS without EPSG"
expect_err "needs an EPSG code" "the reason is the missing EPSG code"
[ ! -e "$TMP/q.db" ] || fail "a refused import must not create the database"

run import "$PARKS" --db "$TMP/q.db" --s-srs "+proj=nosuch +ellps=WGS84"
expect_status 2 "unknown projection"
expect_one_line_err "unknown projection"
expect_err "nosuch" "names the CRS"
grep -qF "cannot parse it" "$err" && fail "PROJ's own reason is quoted, not a guess"

finish
