#!/usr/bin/env bash
# Issue 6, the database: locked, read-only, corrupt, written by another tool
# (ogr2ogr's SpatiaLite output), or by a newer parkmap: a clear one-line
# error, exit 4, and the file left as it was.
. "$(dirname "$0")/lib.sh"
DB="$TMP/p.db"
GOOD="$SRC/tests/fixtures/overlap.geojson"

run import "$GOOD" --db "$DB" --quiet
expect_status 0 "seed database"

sum() { sha256sum "$1" | cut -d' ' -f1; }

# db_fails NAME STATUS WHY CMD...: CMD fails with STATUS, one line naming
# the database file and saying WHY.
db_fails() {
  local name=$1 st=$2 why=$3 file=$4
  shift 4
  run "$@"
  expect_status "$st" "$name"
  expect_one_line_err "$name"
  expect_err "$(basename "$file")" "$name names the database"
  expect_err "$why" "$name says why"
}

# ---- locked: another connection holds a write lock ----------------------
cp "$DB" "$TMP/locked.db"
s0=$(sum "$TMP/locked.db")
python3 - "$TMP/locked.db" "$TMP/lock.ready" "$TMP/lock.release" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
for _ in range(300):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
db.execute("ROLLBACK")
PY
locker=$!
for _ in $(seq 100); do [ -e "$TMP/lock.ready" ] && break; sleep 0.05; done
[ -e "$TMP/lock.ready" ] || fail "lock helper did not start"
db_fails "import into a locked database" 4 "locked" "$TMP/locked.db" \
  import "$GOOD" --db "$TMP/locked.db" --overwrite --quiet
db_fails "info on a locked database" 4 "locked" "$TMP/locked.db" info --db "$TMP/locked.db"
touch "$TMP/lock.release"
wait "$locker"
[ "$(sum "$TMP/locked.db")" = "$s0" ] || fail "locked database changed"
ls "$TMP" | grep -q 'locked.db.tmp-' && fail "locked: temporary copy left"
run import "$GOOD" --db "$TMP/locked.db" --overwrite --quiet
expect_status 0 "import once the lock is gone"

# A writer that has begun (RESERVED) but not committed: our copy must not
# include its work, and it cannot commit behind our back (no lost update):
# either we wait it out or we report the lock.
cp "$DB" "$TMP/busy.db"
python3 - "$TMP/busy.db" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0.1)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO parkmap_meta VALUES ('zz', 'half', 'written')")
time.sleep(1.0)
db.execute("ROLLBACK")
PY
writer=$!
sleep 0.3
run import "$GOOD" --db "$TMP/busy.db" --layer second --quiet
wait "$writer"
[ "$status" -eq 0 ] || [ "$status" -eq 4 ] || fail "import beside a writer: status $status"
[ "$(sqlite3 "$TMP/busy.db" "SELECT count(*) FROM parkmap_meta WHERE layer = 'zz'")" = 0 ] ||
  fail "import copied another writer's uncommitted row"

# ---- read-only file: readable, never replaced ---------------------------
cp "$DB" "$TMP/ro.db"
chmod 444 "$TMP/ro.db"
s0=$(sum "$TMP/ro.db")
run info --db "$TMP/ro.db"
expect_status 0 "info on a read-only database"
for ow in "" --overwrite; do
  db_fails "import into a read-only database $ow" 4 "read-only" "$TMP/ro.db" \
    import "$GOOD" --db "$TMP/ro.db" --layer other $ow --quiet
done
[ "$(sum "$TMP/ro.db")" = "$s0" ] || fail "read-only database changed"
[ "$(stat -c %a "$TMP/ro.db")" = 444 ] || fail "read-only database lost its mode"

# ---- corrupt files -----------------------------------------------------
head -c 65536 /dev/urandom >"$TMP/random.db"
printf 'SQLite format 3\0' >"$TMP/header_only.db"
head -c 20000 "$DB" >"$TMP/truncated.db"
python3 - "$DB" "$TMP/scrambled.db" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for off in range(4096, len(d), 4096):   # keep page 1, trash the b-tree pages
    d[off:off + 64] = bytes(range(64))
open(sys.argv[2], "wb").write(d)
PY
for f in random header_only truncated scrambled; do
  s0=$(sum "$TMP/$f.db")
  for cmd in "info --db $TMP/$f.db" "check --db $TMP/$f.db" \
             "import $GOOD --db $TMP/$f.db --overwrite --quiet"; do
    run $cmd
    expect_status 4 "$f: $cmd"
    expect_one_line_err "$f: $cmd"
    expect_err "$f.db" "$f: $cmd names the database"
  done
  [ "$(sum "$TMP/$f.db")" = "$s0" ] || fail "$f database changed"
done
ls "$TMP" | grep -q '\.db\.tmp-' && fail "corrupt: temporary copy left"

# ---- a database another tool wrote ------------------------------------
# ogr2ogr comes with gdal-bin, which scripts/setup.sh installs.
if ! command -v ogr2ogr >/dev/null; then
  fail "ogr2ogr missing (gdal-bin): the foreign-database checks cannot run"
else
  ogr2ogr -f SQLite -dsco SPATIALITE=YES "$TMP/ogr.db" "$GOOD" -nln parks 2>/dev/null
  s0=$(sum "$TMP/ogr.db")
  db_fails "info on an ogr2ogr database" 4 "not a parkmap database" "$TMP/ogr.db" info --db "$TMP/ogr.db"
  db_fails "check on an ogr2ogr database" 4 "not a parkmap database" "$TMP/ogr.db" check --db "$TMP/ogr.db"
  db_fails "import into an ogr2ogr database" 4 "not a parkmap database" "$TMP/ogr.db" \
    import "$GOOD" --db "$TMP/ogr.db" --layer more --quiet
  [ "$(sum "$TMP/ogr.db")" = "$s0" ] || fail "ogr2ogr database changed"
fi
# A plain SQLite file that is not SpatiaLite at all.
sqlite3 "$TMP/plain.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
db_fails "info on a plain SQLite file" 4 "not a parkmap database" "$TMP/plain.db" info --db "$TMP/plain.db"

# ---- a newer parkmap wrote it ------------------------------------------
cp "$DB" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" "UPDATE parkmap_meta SET value = '99' WHERE layer = '' AND key = 'schema_version'"
s0=$(sum "$TMP/newer.db")
db_fails "info on a newer database" 4 "schema version 99" "$TMP/newer.db" info --db "$TMP/newer.db"
db_fails "import into a newer database" 4 "schema version 99" "$TMP/newer.db" \
  import "$GOOD" --db "$TMP/newer.db" --overwrite --quiet
[ "$(sum "$TMP/newer.db")" = "$s0" ] || fail "newer database changed"

# Issue 16 item 15: a schema_version that is not a plain positive integer
# is neither read as 1 nor rewritten: too large is newer, the rest is not a
# parkmap database.
for v in 99999999999999999999 4294967297 2; do
  cp "$DB" "$TMP/v.db"
  sqlite3 "$TMP/v.db" "UPDATE parkmap_meta SET value = '$v' WHERE layer = '' AND key = 'schema_version'"
  s0=$(sum "$TMP/v.db")
  db_fails "schema_version $v" 4 "schema version $v, this parkmap understands up to 1" "$TMP/v.db" \
    import "$GOOD" --db "$TMP/v.db" --overwrite --quiet
  [ "$(sum "$TMP/v.db")" = "$s0" ] || fail "schema_version $v: database changed"
done
for v in -1 "" x 1.5 " 1"; do
  cp "$DB" "$TMP/v.db"
  sqlite3 "$TMP/v.db" "UPDATE parkmap_meta SET value = '$v' WHERE layer = '' AND key = 'schema_version'"
  s0=$(sum "$TMP/v.db")
  db_fails "schema_version '$v'" 4 "not a parkmap database" "$TMP/v.db" \
    import "$GOOD" --db "$TMP/v.db" --overwrite --quiet
  expect_err "schema_version '$v' is not a version number" "schema_version '$v' says why"
  [ "$(sum "$TMP/v.db")" = "$s0" ] || fail "schema_version '$v': database changed"
  db_fails "info, schema_version '$v'" 4 "not a version number" "$TMP/v.db" info --db "$TMP/v.db"
done

# ---- geometries SpatiaLite stores compressed --------------------------
# parkmap reads its own (plain) BLOBs without AsBinary (store_sl_blob.c); a
# compressed BLOB, which another tool may leave, goes through SpatiaLite
# and must read the same. Compression keeps vertices as float deltas: equal
# within 1 cm (1e-7 degree) on these parks.
cp "$DB" "$TMP/packed.db"
sqlite3 "$TMP/packed.db" ".load mod_spatialite" "UPDATE parks SET geom = CompressGeometry(geom)"
# (the multipolygon's first element: marker 0x69, class 1000003 little-endian)
[ "$(sqlite3 "$TMP/packed.db" "SELECT hex(substr(geom, 48, 5)) FROM parks LIMIT 1")" = "6943420F00" ] ||
  fail "the test database holds compressed polygons (class 1000003)"
run export --db "$DB" -o "$TMP/plain.geojson"
expect_status 0 "export plain BLOBs"
run export --db "$TMP/packed.db" -o "$TMP/packed.geojson"
expect_status 0 "export compressed BLOBs"
python3 - "$TMP/plain.geojson" "$TMP/packed.geojson" <<'EOF' || fail "compressed BLOBs read as plain ones"
import json, sys
a, b = (json.load(open(p))["features"] for p in sys.argv[1:3])
def pts(g):
    c = g["coordinates"]
    while isinstance(c[0][0], list):
        c = [p for part in c for p in part]
    return c
if len(a) != len(b) or not a:
    sys.exit(f"{len(a)} against {len(b)} features")
for fa, fb in zip(a, b):
    pa, pb = pts(fa["geometry"]), pts(fb["geometry"])
    if len(pa) != len(pb) or any(abs(x - y) > 1e-7 for p, q in zip(pa, pb) for x, y in zip(p, q)):
        sys.exit(f"feature {fa['properties'].get('name')} differs")
EOF

# ---- not a file ---------------------------------------------------------
mkdir "$TMP/dir.db"
db_fails "info on a directory" 4 "not a regular file" "$TMP/dir.db" info --db "$TMP/dir.db"
db_fails "import into a directory" 4 "not a regular file" "$TMP/dir.db" import "$GOOD" --db "$TMP/dir.db"

finish
