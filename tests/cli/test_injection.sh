#!/usr/bin/env bash
# Issue 6, no injection: layer names, field names, values and file names
# from data or arguments never become SQL or shell text. Each is stored or
# used verbatim and the database keeps all its tables.
. "$(dirname "$0")/lib.sh"
EVIL='"; DROP TABLE parks; --'

# A directory and file names with quotes, semicolons, spaces and $(...).
D="$TMP/it's a \"dir\"; \$(touch pwned)"
mkdir -p "$D"
cp "$SRC/tests/fixtures/bad/sql_names.geojson" "$D/src \$(touch pwned2); '.geojson"
DB="$D/db '; DROP TABLE parks; --.db"

run import "$D/src \$(touch pwned2); '.geojson" --db "$DB" --quiet
expect_status 0 "import with hostile paths"
# Layer names SpatiaLite cannot register (quotes) or that would replace its
# metadata are refused up front as usage errors, the database untouched.
sum0=$(sha256sum "$DB" | cut -d' ' -f1)
for layer in "$EVIL" "parks'); DELETE FROM parkmap_meta; --" geometry_columns \
             parkmap_meta sqlite_master SPATIAL_REF_SYS ""; do
  run import "$SRC/tests/fixtures/overlap.geojson" --db "$DB" --layer "$layer" --overwrite --quiet
  expect_status 2 "layer name '$layer'"
  expect_one_line_err "layer name '$layer'"
  expect_err "bad layer name" "layer name '$layer' says so"
done
[ "$(sha256sum "$DB" | cut -d' ' -f1)" = "$sum0" ] || fail "refused layer names changed the database"
# Semicolons, dashes, spaces, SQL words and non-ASCII are fine, verbatim.
# (lower case: SpatiaLite lower-cases registered names, see the report)
HOST='parks; drop table parks; -- 园区'
run import "$SRC/tests/fixtures/overlap.geojson" --db "$DB" --layer "$HOST" --quiet
expect_status 0 "import into a layer named like an injection"
run import "$SRC/tests/fixtures/overlap.geojson" --db "$DB" --layer "$HOST" --overwrite --quiet
expect_status 0 "overwrite the hostile layer"
[ ! -e pwned ] && [ ! -e pwned2 ] && [ ! -e "$D/pwned" ] && [ ! -e "$TMP/pwned" ] ||
  fail "a file name reached a shell"

python3 - "$DB" "$EVIL" "$HOST" <<'PY' || fail "names or values not stored verbatim"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
evil, host = sys.argv[2], sys.argv[3]
tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
for t in ("parks", host, "parkmap_meta", "geometry_columns", "spatial_ref_sys"):
    assert t in tables, (t, sorted(tables))
assert db.execute('SELECT count(*) FROM "%s"' % host).fetchone()[0] == 3
# the attribute column named like an injection, with its value
cols = [r[1] for r in db.execute("SELECT * FROM pragma_table_info('parks')")]
assert evil in cols, cols
v = db.execute('SELECT "%s" FROM parks ORDER BY source_fid' % evil.replace('"', '""')).fetchall()
assert v == [("Robert'); DROP TABLE parkmap_meta;--",), ("'",)], v
layers = {r[0] for r in db.execute("SELECT DISTINCT layer FROM parkmap_meta")}
assert host in layers, layers
gc = {r[0] for r in db.execute("SELECT f_table_name FROM geometry_columns")}
assert host.lower() in gc or host in gc, gc
PY

# The other commands read the hostile layer and database by name.
run info --db "$DB" --json
expect_status 0 "info on the hostile database"
py_json "assert any(l['name'] == '''$HOST''' for l in d['layers']), d" "info lists the hostile layer"
run area --db "$DB" --layer "$HOST" --json
expect_status 0 "area on the hostile layer"
run export --db "$DB" -o "$D/out '; rm -rf x.gpkg" --layers "parks"
expect_status 0 "export to a hostile file name"
[ -s "$D/out '; rm -rf x.gpkg" ] || fail "export to a hostile name wrote nothing"

finish
