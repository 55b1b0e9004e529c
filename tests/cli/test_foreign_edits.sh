#!/usr/bin/env bash
# A database edited by another tool (the spatialite shell, QGIS) with
# SpatiaLite's triggers or index switched off: parkmap must not pass a
# layer whose index is stale (issue 16, item 6) nor read a row stored in
# another SRID as if it were in the layer's (item 7).
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 missing" >&2; exit 77; }
spl() { sqlite3 "$1" "SELECT load_extension('mod_spatialite'); $2" >/dev/null 2>&1; }

run import "$SRC/geodata/pudong_parks.geojson" --db "$TMP/p.db" --quiet
expect_status 0 "import the shipped parks"

# 6. The index disabled, then a park inserted twice: the index knows
# nothing of the copy, the check must still see it.
cp "$TMP/p.db" "$TMP/dup.db"
spl "$TMP/dup.db" "SELECT DisableSpatialIndex('parks', 'geom');
  INSERT INTO parks (source_fid, name, geom) SELECT 99, name || ' copy', geom FROM parks
  WHERE source_fid = 3;" || fail "could not prepare the stale-index database"
run check --db "$TMP/dup.db" --json
expect_status 1 "a duplicated park behind a stale index fails the check"
py_json "
d_ = [q for q in d['qa'] if q['kind'] == 'duplicate']
assert len(d_) == 1 and d_[0]['fids'] == [3, 99], d['qa']
assert d['area_km2']['ellipsoidal'] - d['area_km2']['union'] > 0.09, d['area_km2']
" "the duplicate is found without the index"

# 7. One row moved to SRID 4326 with the update trigger dropped: every
# command that reads geometry refuses the layer (exit 3), naming the row.
cp "$TMP/p.db" "$TMP/srid.db"
spl "$TMP/srid.db" "DROP TRIGGER ggu_parks_geom;
  UPDATE parks SET geom = Transform(geom, 4326) WHERE source_fid = 5;" ||
  fail "could not prepare the mixed-SRID database"
for cmd in "check" "adjacency" "area" "layout --no-tables" "clean" \
  "render -o $TMP/m.png" "export -o $TMP/m.gpkg"; do
  # shellcheck disable=SC2086
  run $cmd --db "$TMP/srid.db"
  expect_status 3 "$cmd refuses a row in another SRID"
  grep -q "^parkmap: mixed SRIDs: .*srid.db layer parks feature 5 (stored in SRID 4326" "$err" ||
    fail "$cmd names the row and both SRIDs"
done
[ -e "$TMP/m.png" ] && fail "render left a map behind"
[ -e "$TMP/m.gpkg" ] && fail "export left a file behind"
# 16. Another program renames a new database over the one a check is
# reading (what import --overwrite does): the check cannot store its
# findings, and says why in one line instead of SQLite's "attempt to write
# a readonly database". The check is stopped once it has the file open.
python3 "$SRC/tests/bench/gen_hexagons.py" 5000 "$TMP/h.geojson" >/dev/null ||
  fail "could not generate hexagons"
run import "$TMP/h.geojson" --db "$TMP/h.db" --quiet
expect_status 0 "import 5,000 hexagons"
cp "$TMP/h.db" "$TMP/h2.db"
caught=0
for attempt in 1 2 3; do
  "$PM" check --db "$TMP/h.db" --quiet >"$out" 2>"$err" &
  pid=$!
  for _ in $(seq 400); do
    ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "/h.db$" && break
    sleep 0.005
  done
  if kill -STOP "$pid" 2>/dev/null; then
    cp "$TMP/h2.db" "$TMP/h3.db" && mv "$TMP/h3.db" "$TMP/h.db"
    kill -CONT "$pid"
    caught=1
  fi
  status=0
  wait "$pid" || status=$?
  [ "$caught" = 1 ] && break
done
[ "$caught" = 1 ] || fail "the check finished before it could be stopped, three times"
expect_status 4 "a check whose database was replaced under it"
expect_one_line_err "the replaced database is one line"
expect_err "was replaced by another program while this command ran" "the replaced database is named as such"
grep -q "readonly" "$err" && fail "SQLite's readonly message leaked"
finish
