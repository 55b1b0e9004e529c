#!/usr/bin/env bash
# The shipped Pudong data: imports, passes the 43 km2 check, and the check's
# JSON carries the documented keys.
. "$(dirname "$0")/lib.sh"
DB="$TMP/p.db"

run --version
expect_status 0 "--version"
for dep in GDAL PROJ SQLite SpatiaLite GEOS cairo pango json-c; do
  grep -qE "^  $dep [0-9R]" "$out" || fail "--version names $dep's version"
done

run import "$SRC/geodata/pudong_parks.geojson" --db "$DB"
expect_status 0 "import shipped parks"
expect_out "imported 15 features" "import count"
expect_out "EPSG:4550" "auto picks GK CM 123E"

# The bulk load parks SpatiaLite's per-row triggers and fills the R*Tree in
# one statement: the index must agree with the table, and the triggers that
# keep later edits in sync must be back.
[ "$(spatialite "$DB" "SELECT CheckSpatialIndex('parks', 'geom');" 2>/dev/null | tail -1)" = 1 ] ||
  fail "spatial index consistent with the table"
for t in ggi gii tmi ggu giu gid; do
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name = '${t}_parks_geom'")" = 1 ] ||
    fail "trigger ${t}_parks_geom restored"
done

run check --db "$DB"
expect_status 0 "shipped data passes the 43 km2 check"
expect_out "check: PASS" "check table verdict"

run check --db "$DB" --json
expect_status 0 "check --json"
# Each park encloses its planned area within 0.5 % (geodata/README.md), so
# the union is within 0.5 % of 43 km2; planar (GK) exceeds ellipsoidal by
# less than 0.1 % at Pudong's distance from 123E.
py_json "
assert len(d['parks']) == 15
a = d['area_km2']
assert abs(a['union'] - 43) / 43 < 0.005, a
assert abs(a['ellipsoidal'] - a['union']) < 1e-6, a
assert 0 < (a['planar'] - a['ellipsoidal']) / a['ellipsoidal'] < 0.001, a
assert d['target_km2'] == 43 and d['tolerance_pct'] == 1 and d['pass'] is True
assert d['problems'] == []
for p in d['parks']:
    assert abs(p['ellipsoidal_km2'] - p['planned_km2']) / p['planned_km2'] < 0.005, p
" "check json keys and totals"

run check --db "$DB" --target-km2 50
expect_status 1 "a 50 km2 target fails"
expect_out "total_mismatch" "total mismatch reported"

run area --db "$DB" --by industry --json
expect_status 0 "area --by industry"
py_json "
g = {x['key']: x for x in d['groups']}
assert sum(x['count'] for x in g.values()) == 15
assert abs(sum(x['planned_km2'] for x in g.values()) - 43) < 1e-9
" "area groups sum to the plan"

run area --db "$DB" --csv
expect_status 0 "area --csv"
[ "$(wc -l <"$out")" -eq 16 ] || fail "area --csv has a header and 15 rows"

run info --db "$DB" --json
expect_status 0 "info --json"
py_json "
l = {x['name']: x for x in d['layers']}['parks']
assert l['features'] == 15 and l['srid'] == 4550
# check refreshed its derived tables beside the parks
assert {'adjacency', 'qa_issues'} <= {x['name'] for x in d['layers']}
assert len(l['source_sha256']) == 64
" "info provenance"

# SpatiaLite lower-cases registered table names; provenance still follows.
run import "$SRC/geodata/pudong_parks.geojson" --db "$DB" --layer Parks_Copy
expect_status 0 "import under a mixed-case layer name"
run info --db "$DB" --json
py_json "
l = {x['name']: x for x in d['layers']}['parks_copy']
assert l['source_sha256'] and len(l['source_sha256']) == 64, l
" "provenance of a mixed-case layer"

finish
