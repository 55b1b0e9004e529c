#!/usr/bin/env bash
# Issue 6, bad input: every file in tests/fixtures/bad/ gets one line on
# stderr of the form "parkmap: <what>: <where> (<why>)" naming the file and
# the feature (or line and column), the documented exit status, and leaves
# an existing database byte-for-byte as it was, also with --overwrite.
# The not-errors (duplicate ids, SQL-looking names, long strings, CP936)
# import verbatim.
. "$(dirname "$0")/lib.sh"
BAD="$SRC/tests/fixtures/bad"
DB="$TMP/p.db"

run import "$SRC/tests/fixtures/overlap.geojson" --db "$DB" --quiet
expect_status 0 "seed database"
sum0=$(sha256sum "$DB" | cut -d' ' -f1)

unchanged() {
  [ "$(sha256sum "$DB" | cut -d' ' -f1)" = "$sum0" ] || fail "$1: the database changed"
  ls "$TMP" | grep -q 'tmp-' && fail "$1: temporary file left beside the database"
  return 0
}

# bad FILE STATUS WHERE WHY [ARGS...]: FILE refused with STATUS; stderr is
# one line naming FILE, containing WHERE (feature/line) and WHY.
bad() {
  local file=$1 st=$2 where=$3 why=$4
  shift 4
  local name
  name=$(basename "$file")
  for mode in --overwrite ""; do
    run import "$file" --db "$DB" $mode "$@"
    expect_one_line_err "$name $mode"
    unchanged "$name $mode"
    if [ -z "$mode" ]; then
      # Without --overwrite the layer clash (2) may be found first.
      [ "$status" -eq "$st" ] || [ "$status" -eq 2 ] || fail "$name (no --overwrite): status $status"
      continue
    fi
    expect_status "$st" "$name"
    grep -q "^parkmap: [^:]*: .*$name.* (.*)\$" "$err" || fail "$name: not 'parkmap: what: where (why)'"
    expect_err "$where" "$name names the position"
    expect_err "$why" "$name says why"
  done
  # A first import that fails creates nothing.
  run import "$file" --db "$TMP/new.db" "$@"
  expect_status "$st" "$name into a new database"
  [ ! -e "$TMP/new.db" ] || fail "$name: a failed first import created the database"
}

bad "$BAD/truncated.geojson" 3 "line 1 column" "truncated"
bad "$BAD/trailing_garbage.geojson" 3 "line 2 column 1" "after the end of the document"
bad "$BAD/wrong_type_features.geojson" 3 "line 1 column 40" '"features" must be an array'
bad "$BAD/wrong_type_coords.geojson" 3 "feature 1" "no geometry"
bad "$BAD/empty.geojson" 3 "empty.geojson" "file is empty"
bad "$BAD/empty_collection.geojson" 3 "empty_collection.geojson" "no features"
bad "$BAD/not_geojson.geojson" 3 "not_geojson.geojson" "not a vector format"
bad "$BAD/point.geojson" 3 "feature 1" "Point is not a polygon"
bad "$BAD/self_intersecting.geojson" 3 "feature 1" "Self-intersection"
bad "$BAD/unclosed_ring.geojson" 3 "feature 1" "unclosed ring"
bad "$BAD/empty_geometry.geojson" 3 "feature 1" "no geometry"
bad "$BAD/null_geometry.geojson" 3 "feature 1" "no geometry"
bad "$BAD/nan.geojson" 3 "feature 1, line 1 column" "NaN is not a JSON number"
bad "$BAD/infinite.geojson" 3 "feature 1" "non-finite coordinate"
bad "$BAD/latitude_out_of_range.geojson" 3 "feature 1" "latitude within +-90"
bad "$BAD/longitude_out_of_range.geojson" 3 "feature 1" "longitude must be within +-180"
bad "$BAD/projected_as_wgs84.geojson" 3 "feature 0" "they look projected"
bad "$BAD/unknown_crs.geojson" 3 "unknown_crs.geojson" 'crs "EPSG:999999"'
bad "$BAD/unparseable_crs.geojson" 3 "unparseable_crs.geojson" "give the real one with --s-srs"
bad "$BAD/deeply_nested.geojson" 3 "feature 0, line 1 column" "nested deeper than 64 levels"
bad "$BAD/planned_comma.geojson" 3 "feature 1" '"1,2": a comma is ambiguous'
bad "$BAD/planned_text.geojson" 3 "feature 1" '"x": not a number'
bad "$BAD/planned_negative.geojson" 3 "feature 1" "cannot be negative"
bad "$BAD/planned_nan.geojson" 3 "feature 1" "not a finite number"
bad "$BAD/planned_inf.geojson" 3 "feature 0" "is it in m²"
# Longitude/latitude under a projected CRS (sweep 4): a wrong .prj, or a
# wrong --s-srs; read as that CRS, the parks would be a few m² off its area.
bad "$BAD/prj_mismatch/parks.shp" 3 "parks.shp" "they look like longitude/latitude: give --s-srs EPSG:4326"
bad "$SRC/geodata/pudong_parks.geojson" 3 "pudong_parks.geojson" "outside its area of use" --s-srs EPSG:4550
bad "$SRC/geodata/pudong_parks.geojson" 3 "pudong_parks.geojson" "look like longitude/latitude" --s-srs EPSG:32651
# The same file with the right CRS imports.
run import "$BAD/prj_mismatch/parks.shp" --db "$TMP/pm.db" --s-srs EPSG:4326
expect_status 0 "wrong .prj overridden with --s-srs EPSG:4326"
# Small numbers in a CRS that declares no area of use (a local grid) are
# believed, with a warning.
run import "$SRC/geodata/pudong_parks.geojson" --db "$TMP/grid.db" --s-srs "+proj=tmerc +lon_0=121.7 +ellps=WGS84"
expect_status 0 "local grid with small numbers"
expect_err "as longitude/latitude would" "local grid warned about"
bad "$BAD/collinear.geojson" 3 "feature 1" "Self-intersection at or near point 121.51"
# The same with --t-srs given, so no extent is computed first: the feature
# loop itself must catch each case.
bad "$BAD/latitude_out_of_range.geojson" 3 "feature 1" "latitude" --t-srs EPSG:4550
bad "$BAD/infinite.geojson" 3 "feature 1" "non-finite" --t-srs EPSG:4550
bad "$BAD/wrong_type_coords.geojson" 3 "feature 1" "no geometry" --t-srs EPSG:4550

# An unknown CRS on the command line is a usage error.
for crs in EPSG:nonsense "+proj=nope" "not a crs at all"; do
  run import "$SRC/tests/fixtures/overlap.geojson" --db "$DB" --overwrite --s-srs "$crs"
  expect_status 2 "--s-srs '$crs'"
  expect_one_line_err "--s-srs '$crs'"
  unchanged "--s-srs '$crs'"
done
# Issue 16 item 9: a storage CRS that cannot hold 2D boundaries is a usage
# error: geocentric (every ellipsoidal area would be 0), vertical (later
# commands fail), 3D geographic, compound.
for crs in EPSG:4978 EPSG:5773 EPSG:4979 EPSG:4549+5773; do
  run import "$SRC/tests/fixtures/overlap.geojson" --db "$DB" --overwrite --t-srs "$crs"
  expect_status 2 "--t-srs $crs"
  expect_one_line_err "--t-srs $crs"
  expect_err "unusable storage CRS: $crs (" "--t-srs $crs names it"
  expect_err "give a 2D geographic or projected one" "--t-srs $crs says why"
  unchanged "--t-srs $crs"
done
for crs in EPSG:4978 EPSG:5773; do
  run export --db "$DB" -o "$TMP/x.gpkg" --t-srs "$crs"
  expect_status 2 "export --t-srs $crs"
  expect_one_line_err "export --t-srs $crs"
  expect_err "unusable output CRS: $crs (" "export --t-srs $crs names it"
  [ ! -e "$TMP/x.gpkg" ] || fail "export --t-srs $crs wrote a file"
done
# ... and --s-srs overrides an unusable declared one.
run import "$BAD/unknown_crs.geojson" --db "$TMP/crs.db" --s-srs EPSG:4326 --quiet
expect_status 0 "--s-srs overrides an unresolvable declared crs"

# Missing file, a directory, a file we may not read.
bad "$TMP/no_such_file.geojson" 3 "no_such_file.geojson" "No such file"
mkdir "$TMP/adir.geojson"
bad "$TMP/adir.geojson" 3 "adir.geojson" "directory"
cp "$SRC/tests/fixtures/overlap.geojson" "$TMP/secret.geojson"
chmod 000 "$TMP/secret.geojson"
if [ "$(id -u)" -ne 0 ]; then
  bad "$TMP/secret.geojson" 3 "secret.geojson" "Permission denied"
elif command -v setpriv >/dev/null; then
  # root reads anything: drop to nobody for this case.
  chmod 755 "$TMP"
  out="$TMP/stdout" err="$TMP/stderr"
  setpriv --reuid=65534 --regid=65534 --clear-groups "$PM" import "$TMP/secret.geojson" \
    --db "$DB" --overwrite >"$out" 2>"$err"
  status=$?
  expect_status 3 "unreadable source"
  expect_one_line_err "unreadable source"
  expect_err "secret.geojson (Permission denied)" "unreadable source says why"
  unchanged "unreadable source"
else
  fail "unreadable source: running as root without setpriv (util-linux) to drop to nobody"
fi

# --skip-invalid skips and counts; with nothing left it is still an error.
run import "$BAD/point.geojson" --db "$TMP/s.db" --skip-invalid --quiet
expect_status 0 "--skip-invalid"
expect_out "skipped 2" "--skip-invalid counts the Point and the LineString"
grep -c "skipped (" "$err" | grep -qx 2 || fail "--skip-invalid warns once per skipped feature"
# --allow-invalid stores the bow-tie as it is, for the QA report.
run import "$BAD/self_intersecting.geojson" --db "$TMP/a.db" --allow-invalid --quiet
expect_status 0 "--allow-invalid"
expect_out "imported 2" "--allow-invalid keeps both"

# ---- not errors ---------------------------------------------------------
# Valid in the source, a hair invalid after reprojection: repaired, said.
run import "$BAD/hole_touch.geojson" --db "$TMP/hole.db"
expect_status 0 "hole touching its shell at a vertex (OGC-valid)"
expect_err "hole_touch.geojson feature 0: valid in the source, invalid after reprojection to EPSG:4550" "repair named"
run check --db "$TMP/hole.db" --json
py_json "assert not [p for p in d['problems'] if p['kind'] == 'invalid_geometry'], d['problems']" "repaired park is valid"
run area --db "$TMP/hole.db" --json
py_json "assert abs(d['parks'][0]['ellipsoidal_km2'] - 3.6979) < 0.001, d['parks'][0]" "repair keeps the area"
# --allow-invalid still stores what is invalid in the source, for QA.
run import "$BAD/collinear.geojson" --db "$TMP/col.db" --allow-invalid
expect_status 0 "--allow-invalid stores an invalid source geometry"

run import "$BAD/duplicate_ids.geojson" --db "$TMP/dup.db" --quiet
expect_status 0 "duplicate ids"
expect_out "imported 3" "duplicate ids all imported"
[ "$(sqlite3 "$TMP/dup.db" 'SELECT count(DISTINCT source_fid) FROM parks')" = 3 ] ||
  fail "duplicate ids: source_fid must still be unique"

# Names and values with quotes, semicolons, newlines and SQL in them: stored
# verbatim, nothing executed (parks and parkmap_meta still there).
run import "$BAD/sql_names.geojson" --db "$TMP/sql.db" --quiet
expect_status 0 "SQL-looking names"
python3 - "$TMP/sql.db" "$BAD/sql_names.geojson" <<'PY' || fail "SQL-looking names not stored verbatim"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
src = json.load(open(sys.argv[2], encoding="utf-8"))
cols = [r[1] for r in db.execute("SELECT * FROM pragma_table_info('parks')")]
evil = '"; DROP TABLE parks; --'
assert evil in cols, cols
assert "semi;colon" in cols and "SELECT * FROM parks" in cols and "pk_2" in cols, cols
rows = db.execute('SELECT "%s", name, "semi;colon", pk_2 FROM parks ORDER BY source_fid'
                  % evil.replace('"', '""')).fetchall()
for row, f in zip(rows, src["features"]):
    p = f["properties"]
    assert row == (p[evil], p["name"], p["semi;colon"], p["pk"]), (row, p)
assert db.execute("SELECT count(*) FROM parkmap_meta").fetchone()[0] > 0
PY

# Issue 16: the tables analysis writes and replaces (adjacency, qa_issues,
# clusters; SQLite ignores case) are refused as layer names, so a later
# check or layout can never silently replace imported data. "outline" stays
# importable: build imports it by design.
for layer in clusters qa_issues adjacency QA_Issues Clusters; do
  for mode in --overwrite ""; do
    run import "$SRC/tests/fixtures/overlap.geojson" --db "$DB" --layer "$layer" $mode --quiet
    expect_status 2 "reserved layer name $layer $mode"
    expect_one_line_err "reserved layer name $layer"
    expect_err "bad layer name: $layer (" "reserved layer name $layer names it"
    expect_err "analysis writes and replaces this table" "reserved layer name $layer says why"
    unchanged "reserved layer name $layer $mode"
  done
done
run import "$SRC/tests/fixtures/overlap.geojson" --db "$TMP/outline.db" --layer outline --quiet
expect_status 0 "outline is not reserved"

# Issue 16 item 16: more properties than a SQLite table has columns is bad
# input (3), said before SQLite's "too many columns"; 1,997 still fit.
for n in 5000 1998 1997; do
  python3 - "$TMP/cols.geojson" "$n" <<'PY'
import json, sys
props = {"f%d" % i: i for i in range(int(sys.argv[2]))}
json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": props,
  "geometry": {"type": "Polygon", "coordinates": [[[121.6, 31.2], [121.61, 31.2], [121.61, 31.21], [121.6, 31.2]]]}}]},
  open(sys.argv[1], "w"))
PY
  run import "$TMP/cols.geojson" --db "$DB" --overwrite --quiet
  if [ "$n" = 1997 ]; then
    expect_status 0 "$n properties"
    sum0=$(sha256sum "$DB" | cut -d' ' -f1)
    continue
  fi
  expect_status 3 "$n properties"
  expect_one_line_err "$n properties"
  expect_err "too many attributes: $TMP/cols.geojson ($n fields; a table holds at most 1997" "$n properties says why"
  unchanged "$n properties"
done

# Issue 16 item 17: an integer beyond 64 bits is refused with its position
# (GDAL stored 1.2e29 written as digits as INT64_MAX); written with an
# exponent it is a real number, and -2^63 still fits.
poly='"geometry": {"type": "Polygon", "coordinates": [[[121.6, 31.2], [121.61, 31.2], [121.61, 31.21], [121.6, 31.2]]]}'
printf '{"type": "FeatureCollection", "features": [\n{"type": "Feature", "properties": {"n": 120000000000000000000000000000}, %s}]}\n' "$poly" >"$TMP/bigint.geojson"
bad "$TMP/bigint.geojson" 3 "feature 0, line 2 column" "an integer of 30 digits does not fit in 64 bits"
printf '{"type": "FeatureCollection", "features": [\n{"type": "Feature", "properties": {"n": 9223372036854775808}, %s}]}\n' "$poly" >"$TMP/bigint.geojson"
bad "$TMP/bigint.geojson" 3 "feature 0, line 2 column" "an integer of 19 digits does not fit in 64 bits"
printf '{"type": "FeatureCollection", "features": [\n{"type": "Feature", "properties": {"n": -9223372036854775808, "r": 1.2e29}, %s}]}\n' "$poly" >"$TMP/int64.geojson"
run import "$TMP/int64.geojson" --db "$TMP/int64.db" --quiet
expect_status 0 "-2^63 and 1.2e29"
[ "$(sqlite3 "$TMP/int64.db" 'SELECT n, r FROM parks')" = "-9223372036854775808|1.2e+29" ] ||
  fail "-2^63 and 1.2e29 not stored as given: $(sqlite3 "$TMP/int64.db" 'SELECT n, r FROM parks')"

# Z and M are dropped with one warning (not one per feature); a "crs" of
# type "link", which GDAL ignores, is read as WGS 84 with a warning, and
# --s-srs silences it.
printf '{"type": "FeatureCollection", "features": [\n{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[121.6, 31.2, 4], [121.61, 31.2, 4], [121.61, 31.21, 4], [121.6, 31.2, 4]]]}},\n{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[121.7, 31.2, 4], [121.71, 31.2, 4], [121.71, 31.21, 4], [121.7, 31.2, 4]]]}}]}\n' >"$TMP/z.geojson"
run import "$TMP/z.geojson" --db "$TMP/z.db" --quiet
expect_status 0 "Z values"
[ "$(grep -c 'warning: .*z.geojson: feature 0: Z values (heights) dropped; parkmap stores 2D boundaries' "$err")" = 1 ] ||
  fail "Z values: not exactly one warning"
[ "$(wc -l <"$err")" -eq 1 ] || fail "Z values: one warning for the whole source"
printf '{"type": "FeatureCollection", "crs": {"type": "link", "properties": {"href": "http://example.com/crs/42", "type": "proj4"}}, "features": [\n{"type": "Feature", "properties": {}, %s}]}\n' "$poly" >"$TMP/link.geojson"
run import "$TMP/link.geojson" --db "$TMP/link.db" --quiet
expect_status 0 "crs of type link"
expect_err 'warning: '"$TMP"'/link.geojson: a "crs" of type "link", which GDAL does not follow: read as WGS 84' "crs of type link warns"
run import "$TMP/link.geojson" --db "$TMP/link.db" --overwrite --quiet --s-srs EPSG:4326
expect_status 0 "crs of type link with --s-srs"
[ "$(wc -l <"$err")" -eq 0 ] || fail "crs of type link with --s-srs: still warned"

# Issue 16 item 13: GDAL's archive paths are GDAL's to judge (stat() ran
# first and refused them); the SHA-256 recorded is the archive's. Network
# paths stay refused.
cp "$SRC/tests/fixtures/overlap.geojson" "$TMP/in.geojson"
(cd "$TMP" && python3 -c "import zipfile; zipfile.ZipFile('in.zip', 'w').write('in.geojson')" &&
  gzip -kf in.geojson && tar cf in.tar in.geojson)
for vsi in "/vsizip/$TMP/in.zip/in.geojson:in.zip" "/vsigzip/$TMP/in.geojson.gz:in.geojson.gz" \
  "/vsitar/$TMP/in.tar/in.geojson:in.tar"; do
  path=${vsi%:*} arch=${vsi##*:}
  rm -f "$TMP/vsi.db"
  run import "$path" --db "$TMP/vsi.db" --quiet
  expect_status 0 "import $path"
  [ "$(sqlite3 "$TMP/vsi.db" "SELECT value FROM parkmap_meta WHERE key = 'source_sha256'")" = \
    "$(sha256sum "$TMP/$arch" | cut -d' ' -f1)" ] || fail "$path: SHA-256 is not the archive's"
done
bad "/vsizip/$TMP/in.zip/nope.geojson" 3 "nope.geojson" "no such file in the archive"
bad "/vsicurl/http://127.0.0.1:9/x.geojson" 3 "x.geojson" "only local archives"

# Very long strings: a 1 MB name and a 64 KB field name, verbatim.
python3 - "$TMP/long.geojson" <<'PY'
import json, sys
name = "长" * 200000 + "x" * 400000
field = "f" * 65536
json.dump({"type": "FeatureCollection", "features": [{"type": "Feature",
  "properties": {"name": name, field: "v"},
  "geometry": {"type": "Polygon", "coordinates": [[[121.6, 31.2], [121.61, 31.2], [121.61, 31.21], [121.6, 31.2]]]}}]},
  open(sys.argv[1], "w"), ensure_ascii=False)
PY
run import "$TMP/long.geojson" --db "$TMP/long.db" --quiet
expect_status 0 "very long strings"
python3 - "$TMP/long.db" <<'PY' || fail "very long strings not stored verbatim"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(name,) = db.execute("SELECT name FROM parks").fetchone()
assert name == "长" * 200000 + "x" * 400000, len(name)
assert "f" * 65536 in [r[1] for r in db.execute("SELECT * FROM pragma_table_info('parks')")]
PY

# Non-UTF-8 text: converted from CP936 (GBK) with one warning naming the
# field; the stored name is the UTF-8 text.
run import "$BAD/non_utf8.geojson" --db "$TMP/gbk.db" --quiet
expect_status 0 "CP936 text"
expect_err "field 'name' is not UTF-8; converted from CP936" "CP936 warning names the field"
[ "$(sqlite3 "$TMP/gbk.db" 'SELECT name FROM parks')" = "张江科学城" ] || fail "CP936 text not converted"

# Sweep 12: case variants of a well-known attribute ("name" on one feature,
# "NAME" on another): the exact name keeps the column, the variant is renamed.
for order in lower-first upper-first; do
  python3 - "$TMP/casecol.geojson" "$order" <<'PY'
import json, sys
sq = [[121.5, 31.2], [121.51, 31.2], [121.51, 31.21], [121.5, 31.21], [121.5, 31.2]]
def f(props, dx):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [[[x + dx, y] for x, y in sq]]}}
feats = [f({"name": "A", "Planned_Area_KM2": 9, "planned_area_km2": 1.5}, 0), f({"NAME": "B"}, 0.02)]
if sys.argv[2] == "upper-first":
    feats = [f({"NAME": "B", "PLANNED_AREA_KM2": 9}, 0.02), f({"name": "A", "planned_area_km2": 1.5}, 0)]
json.dump({"type": "FeatureCollection", "features": feats}, open(sys.argv[1], "w"))
PY
  rm -f "$TMP/casecol.db"
  run import "$TMP/casecol.geojson" --db "$TMP/casecol.db" --quiet
  expect_status 0 "case-variant names ($order)"
  expect_err "field 'NAME' stored as 'NAME_2'" "case-variant names ($order): the variant is renamed"
  got=$(sqlite3 "$TMP/casecol.db" "SELECT name || '/' || planned_area_km2 FROM parks WHERE name IS NOT NULL")
  [ "$got" = "A/1.5" ] || fail "case-variant names ($order): name/planned_area_km2 lost: '$got'"
done

# Sweep 15: control characters in a name are stored verbatim but escaped in
# the text tables (a newline broke the table, ESC recoloured the terminal).
printf '%s' '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"line1\nline2\ttab\u0007bell\u001b[31mred\u009bx"},"geometry":{"type":"Polygon","coordinates":[[[121.5,31.2],[121.51,31.2],[121.51,31.21],[121.5,31.21],[121.5,31.2]]]}}]}' >"$TMP/ctrl.geojson"
run import "$TMP/ctrl.geojson" --db "$TMP/ctrl.db" --quiet
expect_status 0 "control characters in a name"
for cmd in area check; do
  run "$cmd" --db "$TMP/ctrl.db" --target-km2 1
  [ "$cmd" = area ] && run area --db "$TMP/ctrl.db"
  LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$out" && fail "$cmd prints control characters raw"
  expect_out 'line1\nline2\ttab\x07bell\x1b[31mred\x9bx' "$cmd shows the name escaped"
done
run area --db "$TMP/ctrl.db" --json
py_json 'assert d["parks"][0]["name"] == "line1\nline2\ttab\x07bell\x1b[31mred\x9bx", d["parks"][0]["name"]' "JSON keeps the name verbatim"

# A planned area that is not a number reaching the database afterwards (an
# edit) is missing, not 0.
if command -v sqlite3 >/dev/null; then
  run import "$SRC/tests/fixtures/overlap.geojson" --db "$TMP/pl.db" --quiet
  sqlite3 "$TMP/pl.db" "UPDATE parks SET planned_area_km2 = 'x'" || fail "cannot edit planned_area_km2"
  run area --db "$TMP/pl.db" --json
  py_json "assert all(p['planned_km2'] is None for p in d['parks']), d['parks']" "edited 'x' planned area is null"
fi

finish
