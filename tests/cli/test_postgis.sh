#!/usr/bin/env bash
# Every subcommand on a PostGIS server (issue 14, items 1, 2 and 5): the
# shipped parks and outline imported through a libpq URI, a keyword string
# and GDAL's PG: form into a throwaway cluster's `parkmap` database; info,
# area, check --within, adjacency, layout, clean, compare, render, export
# and report on it; the same numbers as the SpatiaLite store; connection
# failures (wrong password, unreachable server, no PostGIS) exit 4 with one
# line; a failed import leaves the layer as it was; build --db gives the
# file build's check, findings and map with the layers on the server, and a
# failed one leaves the server as it was (or, after the parks import, no
# findings about the old parks); and the password never appears in any
# output, file or stored value.
#
# Run through tests/pg/run_pg_test.sh (scripts/pg_cluster.sh with a fresh
# /tmp/pm_pg_XXXXXX): 77 only when the PostgreSQL binaries are missing and
# CI is not "true".
if [ "${PM_NO_POSTGIS:-}" = 1 ]; then
  echo "test_postgis: parkmap built with -DPM_POSTGIS=OFF; skipped" >&2
  exit 77
fi
if [ -z "${PM_PG_URL:-}" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  exec bash "$here/../pg/run_pg_test.sh" bash "$here/$(basename "$0")"
fi
. "$(dirname "$0")/lib.sh"

PSQL="${PG_BIN:-/usr/lib/postgresql/15/bin}/psql"
psql_q() { "$PSQL" -X -At -v ON_ERROR_STOP=1 "$PM_PG_URL" -c "$1"; }
PW=$PM_PG_PASSWORD
[ -n "$PW" ] || { echo "no PM_PG_PASSWORD from pg_cluster.sh" >&2; exit 1; }
WRONG=not-the-pw-7f3a9c
ALL="$TMP/all_output"
: >"$ALL"
# Every run's stdout and stderr are kept, to look for the passwords at the end.
run() {
  out="$TMP/stdout" err="$TMP/stderr"
  "$PM" "$@" >"$out" 2>"$err"
  status=$?
  cat "$out" "$err" >>"$ALL"
}

URI=$PM_PG_URL
KW="host=$PM_PG_SOCKET port=$PM_PG_PORT dbname=parkmap user=$PGUSER"
GD="PG:host=$PM_PG_SOCKET port=$PM_PG_PORT dbname=parkmap user=$PGUSER"
PARKS="$SRC/geodata/pudong_parks.geojson"
OUTLINE="$SRC/geodata/pudong_outline.geojson"
SLDB="$TMP/sl.db"

# ---- import, three ways to name the server ---------------------------------
run import "$PARKS" --db "$URI" --quiet
expect_status 0 "import (URI)"
expect_out "imported 15 features" "import (URI)"
expect_out "postgresql://$PGUSER@" "import names the server redacted"
run import "$OUTLINE" --layer outline --db "$KW" --quiet
expect_status 0 "import outline (keyword string)"
run import "$PARKS" --db "$GD" --quiet
[ "$status" -ne 0 ] || fail "import into an existing layer without --overwrite succeeded"
expect_one_line_err "import into an existing layer"
expect_err "layer already exists" "import into an existing layer"
run import "$PARKS" --db "$GD" --overwrite --quiet
expect_status 0 "import --overwrite (PG: form)"
# The SpatiaLite twin, for the numbers.
run import "$PARKS" --db "$SLDB" --quiet
expect_status 0 "import (SpatiaLite)"
run import "$OUTLINE" --layer outline --db "$SLDB" --quiet
expect_status 0 "import outline (SpatiaLite)"

# ---- reading commands ------------------------------------------------------
run info --db "$URI"
expect_status 0 "info"
expect_out "parks: 15 features, EPSG:4550" "info"
expect_out "outline: 1 features" "info"
expect_out "source_path    $PARKS" "info keeps the source file as provenance"
run info --db "$KW" --json
expect_status 0 "info --json"
py_json "assert sorted(l['name'] for l in d['layers'])[:2] == ['outline', 'parks'], d" "info --json layers"

run area --db "$SLDB" --json
cp "$out" "$TMP/area_sl.json"
run area --db "$GD" --json
expect_status 0 "area --json"
py_json "
sl = json.load(open('$TMP/area_sl.json'))
a = d['area_km2']
assert abs(a['ellipsoidal'] / 43 - 1) < 1e-4, a
for k in ('planar', 'ellipsoidal', 'union', 'union_planar'):
    assert abs(a[k] / sl['area_km2'][k] - 1) < 1e-9, (k, a[k], sl['area_km2'][k])
assert [p['fid'] for p in d['parks']] == [p['fid'] for p in sl['parks']]
assert [p['name'] for p in d['parks']] == [p['name'] for p in sl['parks']]
for p, q in zip(d['parks'], sl['parks']):
    assert abs(p['ellipsoidal_km2'] / q['ellipsoidal_km2'] - 1) < 1e-9, (p, q)
" "area: 43 km2, the SpatiaLite store's numbers"

for db in "$SLDB" "$URI"; do
  run check --db "$db" --json --within outline
  cp "$out" "$TMP/check_$([ "$db" = "$SLDB" ] && echo sl || echo pg).json"
done
expect_status 0 "check --within outline"
py_json "
sl = json.load(open('$TMP/check_sl.json'))
assert d['pass'] is True, d['pass']
assert abs(d['area_km2']['ellipsoidal'] / 43 - 1) < 1e-4
assert d['problems'] == sl['problems'], (d['problems'], sl['problems'])
assert d['parks'] == sl['parks']
" "check --within outline: passes, as on SpatiaLite"

for db in "$SLDB" "$URI"; do
  run adjacency --db "$db" --json
  cp "$out" "$TMP/adj_$([ "$db" = "$SLDB" ] && echo sl || echo pg).json"
done
expect_status 0 "adjacency --json"
cmp -s "$TMP/adj_sl.json" "$TMP/adj_pg.json" || fail "adjacency differs from SpatiaLite's"

for db in "$SLDB" "$KW"; do
  run layout --db "$db" --json
  cp "$out" "$TMP/layout_$([ "$db" = "$SLDB" ] && echo sl || echo pg).json"
done
expect_status 0 "layout --json"
cmp -s "$TMP/layout_sl.json" "$TMP/layout_pg.json" || fail "layout differs from SpatiaLite's"

# The derived tables are on the server, queryable like any layer.
for t in qa_issues adjacency clusters; do
  [ "$(psql_q "SELECT count(*) FROM geometry_columns WHERE f_table_name = '$t'")" = 1 ] ||
    fail "derived table $t not registered"
  [ "$(psql_q "SELECT value FROM parkmap_meta WHERE layer = '$t' AND key = 'derived_from'")" = parks ] ||
    fail "derived table $t: no derived_from"
done
[ "$(psql_q "SELECT type FROM geometry_columns WHERE f_table_name = 'adjacency'")" = MULTILINESTRING ] ||
  fail "adjacency is not a line layer"

run clean --db "$URI" --to cleaned
expect_status 0 "clean --to cleaned"
[ "$(psql_q "SELECT count(*) FROM cleaned")" = 15 ] || fail "clean: cleaned layer lacks 15 rows"

run compare --db "$URI" --against "$KW" --json
expect_status 0 "compare"

run render --db "$URI" -o "$TMP/x.png"
expect_status 0 "render"
[ "$(head -c 8 "$TMP/x.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "render: not a PNG"
run render --db "$SLDB" -o "$TMP/sl.png"
cmp -s "$TMP/x.png" "$TMP/sl.png" || fail "render: the map differs from SpatiaLite's"
run export --db "$GD" -o "$TMP/x.gpkg"
expect_status 0 "export"
[ -s "$TMP/x.gpkg" ] || fail "export: no GeoPackage"
run report --db "$URI" -o "$TMP/x.html" --quiet
expect_status 0 "report"
grep -q "postgresql://$PGUSER@" "$TMP/x.html" || fail "report does not name the server"

# ---- passwords: pmpw needs one ----------------------------------------------
psql_q "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $PM_PG_PW_USER" >/dev/null
TCP="127.0.0.1:$PM_PG_PORT/parkmap"
run info --db "postgresql://$PM_PG_PW_USER:$PW@$TCP"
expect_status 0 "info with the password in the URI"
expect_out "database postgresql://$PM_PG_PW_USER@127.0.0.1:$PM_PG_PORT/parkmap" "info names the server redacted"
PGPASSWORD=$PW run area --db "postgresql://$PM_PG_PW_USER@$TCP" --json
expect_status 0 "area with PGPASSWORD"
run area --db "host=127.0.0.1 port=$PM_PG_PORT dbname=parkmap user=$PM_PG_PW_USER password=$PW" --csv
expect_status 0 "area with password= in a keyword string"

run info --db "postgresql://$PM_PG_PW_USER:$WRONG@$TCP"
expect_status 4 "wrong password in the URI"
expect_one_line_err "wrong password in the URI"
expect_err "wrong password" "wrong password in the URI"
PGPASSWORD=$WRONG run area --db "postgresql://$PM_PG_PW_USER@$TCP"
expect_status 4 "wrong PGPASSWORD"
expect_one_line_err "wrong PGPASSWORD"
expect_err "wrong password" "wrong PGPASSWORD"
PGPASSWORD=$WRONG run import "$PARKS" --layer other --db "PG:host=127.0.0.1 port=$PM_PG_PORT dbname=parkmap user=$PM_PG_PW_USER"
expect_status 4 "import with a wrong PGPASSWORD"
expect_one_line_err "import with a wrong PGPASSWORD"

free_port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
run check --db "postgresql://$PM_PG_PW_USER:$PW@127.0.0.1:$free_port/parkmap"
expect_status 4 "unreachable server"
expect_one_line_err "unreachable server"
expect_err "server unreachable" "unreachable server"

run info --db "host=$PM_PG_SOCKET port=$PM_PG_PORT dbname=nopostgis user=$PGUSER"
expect_status 4 "database without PostGIS"
expect_one_line_err "database without PostGIS"
expect_err "PostGIS" "database without PostGIS"
run import "$PARKS" --db "postgresql://$PGUSER@/nopostgis?host=$PM_PG_SOCKET&port=$PM_PG_PORT"
expect_status 4 "import into a database without PostGIS"
expect_one_line_err "import into a database without PostGIS"
expect_err "PostGIS extension missing" "import into a database without PostGIS"

# ---- a failed import leaves the layer as it was -----------------------------
python3 - "$PARKS" "$TMP/bad_middle.geojson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["features"][8]
ring = f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"][0][0]
x0, y0 = ring[0]
# A bow-tie: invalid in the source, refused without --allow-invalid.
f["geometry"] = {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + 0.01, y0 + 0.01],
                 [x0 + 0.01, y0], [x0, y0 + 0.01], [x0, y0]]]}
json.dump(d, open(sys.argv[2], "w"))
PY
state() {
  psql_q "SELECT count(*), sum(ST_Area(geom)) FROM parks"
  psql_q "SELECT key || '=' || value FROM parkmap_meta WHERE layer = 'parks' ORDER BY key"
  psql_q "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE 'parkmap_stage%'"
}
state >"$TMP/before"
run import "$TMP/bad_middle.geojson" --db "$URI" --overwrite --quiet
[ "$status" -ne 0 ] || fail "import of a bad feature succeeded"
expect_one_line_err "import of a bad feature"
state >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "failed import changed the layer: $(diff "$TMP/before" "$TMP/after" | head -5)"

# ---- build --db: the whole pipeline on the server (issue 14 item 1) --------
# A database of its own, owned by the role that needs a password, so the
# build runs with the password in the URI.
psql_q "CREATE DATABASE pmbuild OWNER $PM_PG_PW_USER" >/dev/null
"$PSQL" -X -q -v ON_ERROR_STOP=1 "postgresql://$PGUSER@/pmbuild?host=$PM_PG_SOCKET&port=$PM_PG_PORT" \
  -c "CREATE EXTENSION postgis" >/dev/null
BQ="postgresql://$PGUSER@/pmbuild?host=$PM_PG_SOCKET&port=$PM_PG_PORT"
bq() { "$PSQL" -X -At -v ON_ERROR_STOP=1 "$BQ" -c "$1"; }
BDB="postgresql://$PM_PG_PW_USER:$PW@127.0.0.1:$PM_PG_PORT/pmbuild"
BLABEL="postgresql://$PM_PG_PW_USER@127.0.0.1:$PM_PG_PORT/pmbuild"

run build "$PARKS" --outline "$OUTLINE" -o "$TMP/bfile" --json --quiet
fstatus=$status
cp "$out" "$TMP/build_file.json"
run build "$PARKS" --outline "$OUTLINE" --db "$BDB" -o "$TMP/bpg" --json --quiet
expect_status "$fstatus" "build --db: the file build's exit status"
cp "$out" "$TMP/build_pg.json"
py_json "
f = json.load(open('$TMP/build_file.json'))
assert d['pass'] == f['pass'], (d['pass'], f['pass'])
assert d['problems'] == f['problems'], (d['problems'], f['problems'])
assert d['parks'] == f['parks']
for k in ('planar', 'ellipsoidal', 'union'):
    assert abs(d['area_km2'][k] / f['area_km2'][k] - 1) < 1e-9, k
assert d['database'] == '$BLABEL', d['database']
assert 'database' not in f
assert sorted(p.rsplit('/', 1)[1] for p in d['files']) == ['map.png', 'map.svg', 'parks.gpkg'], d['files']
" "build --db: the file build's check, in the server"
[ -e "$TMP/bpg/parks.db" ] && fail "build --db wrote OUTDIR/parks.db"
for f in map.png map.svg parks.gpkg; do
  [ -s "$TMP/bpg/$f" ] || fail "build --db: no OUTDIR/$f"
done
[ -z "$(ls -A "$TMP/bpg" | grep -v -e '^map.png$' -e '^map.svg$' -e '^parks.gpkg$')" ] ||
  fail "build --db: more in OUTDIR than the maps and the GeoPackage: $(ls -A "$TMP/bpg")"
cmp -s "$TMP/bfile/map.png" "$TMP/bpg/map.png" || fail "build --db: the map differs from the file build's"
for t in parks outline qa_issues adjacency clusters; do
  [ "$(bq "SELECT count(*) FROM geometry_columns WHERE f_table_name = '$t'")" = 1 ] ||
    fail "build --db: no layer $t on the server"
done
for t in qa_issues adjacency clusters; do
  [ "$(bq "SELECT value FROM parkmap_meta WHERE layer = '$t' AND key = 'derived_from'")" = parks ] ||
    fail "build --db: $t not derived from parks"
done
# The findings, row for row: the GeoPackages' qa_issues and adjacency, and
# the server's tables against the file build's database.
python3 - "$TMP/bfile/parks.gpkg" "$TMP/bpg/parks.gpkg" <<'PY' 2>"$TMP/py.err" || fail "build --db: findings differ: $(tail -1 "$TMP/py.err")"
import sqlite3, sys
def rows(path, t):
    c = sqlite3.connect(path)
    cols = [r[1] for r in c.execute(f'PRAGMA table_info("{t}")') if r[1] not in ('fid', 'geom')]
    return cols, sorted(c.execute(f'SELECT {", ".join(chr(34) + x + chr(34) for x in cols)} FROM "{t}"').fetchall(), key=repr)
for t in ('qa_issues', 'adjacency', 'clusters'):
    (ca, a), (cb, b) = rows(sys.argv[1], t), rows(sys.argv[2], t)
    assert ca == cb, (t, ca, cb)
    assert len(a) == len(b), (t, len(a), len(b))
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            if isinstance(u, float) and isinstance(v, float):
                assert abs(u - v) <= 1e-9 * max(1.0, abs(u)), (t, x, y)
            else:
                assert u == v, (t, x, y)
PY
for t in qa_issues adjacency; do
  sl=$(sqlite3 "$TMP/bfile/parks.db" "SELECT count(*) FROM $t" 2>/dev/null || python3 -c "import sqlite3; print(sqlite3.connect('$TMP/bfile/parks.db').execute('SELECT count(*) FROM $t').fetchone()[0])")
  [ "$(bq "SELECT count(*) FROM $t")" = "$sl" ] || fail "build --db: $t has not the file build's $sl rows"
done

# The server's layers are replaced only with --overwrite; OUTDIR untouched.
run build "$PARKS" --db "$BDB" -o "$TMP/bpg2" --quiet
[ "$status" -ne 0 ] || fail "build --db over existing layers without --overwrite succeeded"
expect_one_line_err "build --db without --overwrite"
expect_err "use --overwrite" "build --db without --overwrite"
[ -e "$TMP/bpg2" ] && fail "a failed build --db left OUTDIR"

# A bad feature: the parks import fails, the server is as it was (layers,
# derived tables, metadata), OUTDIR too.
bstate() {
  bq "SELECT count(*), sum(ST_Area(geom)) FROM parks"
  bq "SELECT layer || ' ' || key || '=' || value FROM parkmap_meta WHERE key <> 'created_at' ORDER BY 1"
  bq "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
  for t in qa_issues adjacency clusters outline; do bq "SELECT '$t', count(*) FROM $t"; done
}
bstate >"$TMP/bbefore"
cp -r "$TMP/bpg" "$TMP/bpg_before"
run build "$TMP/bad_middle.geojson" --outline "$OUTLINE" --db "$BDB" -o "$TMP/bpg" --overwrite --quiet
[ "$status" -eq 3 ] || fail "build --db of a bad feature: exit status $status, expected 3"
expect_one_line_err "build --db of a bad feature"
bstate >"$TMP/bafter"
cmp -s "$TMP/bbefore" "$TMP/bafter" || fail "failed build --db changed the server: $(diff "$TMP/bbefore" "$TMP/bafter" | head -5)"
diff -r "$TMP/bpg_before" "$TMP/bpg" >/dev/null || fail "failed build --db changed OUTDIR"

# A failure after the parks import (the outline cannot be read): the new
# parks stay, and no finding about the old parks is left beside them.
run build "$PARKS" --outline "$TMP/no_such_outline.geojson" --db "$BDB" -o "$TMP/bpg" --overwrite --quiet
[ "$status" -ne 0 ] || fail "build --db with a missing outline succeeded"
# The build's warning that the parks were replaced and the derived tables
# not yet written, then the error.
grep -q '^parkmap: warning: .*the parks were replaced but the build did not finish' "$err" ||
  fail "build --db with a missing outline: no warning about the missing derived tables"
tail -1 "$err" | grep -q '^parkmap: cannot open source' ||
  fail "build --db with a missing outline: the error is not the last line"
for t in qa_issues adjacency clusters; do
  [ "$(bq "SELECT count(*) FROM pg_class WHERE relname = '$t'")" = 0 ] ||
    fail "build --db: $t about the replaced parks outlived their import"
done
diff -r "$TMP/bpg_before" "$TMP/bpg" >/dev/null || fail "build --db failing after the import changed OUTDIR"
# And a build mends it.
run build "$PARKS" --outline "$OUTLINE" --db "$BDB" -o "$TMP/bpg" --overwrite --quiet
expect_status "$fstatus" "build --db --overwrite"
expect_out "database:     $BLABEL" "build --db names the server redacted"
# The derived tables the import removed are written anew by the same build:
# no warning that they went.
! grep -q 'removed: derived from the replaced layer' "$err" ||
  fail "build --db --overwrite warned about derived tables it rewrote: $(cat "$err")"
[ "$(bq "SELECT count(*) FROM qa_issues")" = "$(python3 -c "import sqlite3; print(sqlite3.connect('$TMP/bfile/parks.db').execute('SELECT count(*) FROM qa_issues').fetchone()[0])")" ] ||
  fail "build --db --overwrite: qa_issues not rewritten"

# --db must name a server: a file path is a usage error.
run build "$PARKS" --db "$TMP/x.db" -o "$TMP/bpg3" --quiet
expect_status 2 "build --db FILE"
expect_one_line_err "build --db FILE"
for f in "$TMP"/bpg/* "$TMP"/bpg_before/*; do
  for secret in "$PW" "$WRONG"; do
    strings "$f" | grep -qF -- "$secret" && fail "a password appears in $f"
  done
done

# ---- no password anywhere ---------------------------------------------------
psql_q "SELECT layer || ' ' || key || ' ' || coalesce(value, '') FROM parkmap_meta" >"$TMP/meta_dump"
for secret in "$PW" "$WRONG"; do
  if grep -rqF -- "$secret" "$ALL" "$TMP"/*.json "$TMP"/*.html "$TMP/meta_dump"; then
    fail "a password appears in output: $(grep -rlF -- "$secret" "$ALL" "$TMP"/*.json "$TMP"/*.html "$TMP/meta_dump" | head -3)"
  fi
  if strings "$TMP/x.gpkg" "$TMP/x.png" | grep -qF -- "$secret"; then
    fail "a password appears in an exported file"
  fi
done
finish
