#!/usr/bin/env bash
# Issue 16, paths parkmap cannot use as given: an output path too long for
# GDAL is refused (2), never shortened into the current directory; a
# database path too long for SQLite is refused (2) with the reason; a
# symbolic link as --db is followed (the database it names is updated, the
# link stays) and a link to nothing is refused (4).
. "$(dirname "$0")/lib.sh"
DB="$TMP/p.db"
run import "$SRC/geodata/pudong_parks.geojson" --db "$DB" --quiet
expect_status 0 "seed database"

# A directory path of ~2,000 bytes: ten nested 200-byte names.
long="$TMP"
for i in 1 2 3 4 5 6 7 8 9 10; do long="$long/$(printf 'd%.0s' $(seq 200))"; done
mkdir -p "$long"
work="$TMP/cwd"
mkdir -p "$work"
echo "not a shapefile" >"$work/v.shp"
for ext in shp geojson kml; do
  out="$TMP/stdout" err="$TMP/stderr"
  (cd "$work" && "$PM" export --db "$DB" -o "$long/v.$ext" >"$out" 2>"$err")
  status=$?
  expect_status 2 "export to a ${#long}-byte directory ($ext)"
  expect_one_line_err "long output path ($ext)"
  expect_err "output path too long" "long output path ($ext) says why"
  [ -z "$(ls -A "$long")" ] || fail "long output path ($ext): files written into the target directory"
  [ "$(ls -A "$work")" = v.shp ] || fail "long output path ($ext): files written into the current directory: $(ls -A "$work" | tr '\n' ' ')"
  [ "$(cat "$work/v.shp")" = "not a shapefile" ] || fail "long output path ($ext): the current directory's v.shp was replaced"
done

# Just inside the limit the export lands where it was asked, whole.
ok=$(dirname "$long")
ok="$ok/$(printf 'e%.0s' $(seq $((1960 - ${#ok}))))"
mkdir -p "$ok"
for ext in shp geojson; do
  out="$TMP/stdout" err="$TMP/stderr"
  (cd "$work" && "$PM" export --db "$DB" -o "$ok/v.$ext" >"$out" 2>"$err")
  status=$?
  expect_status 0 "export to a $((${#ok} + 6))-byte path ($ext)"
  [ -s "$ok/v.$ext" ] || fail "export to a long path ($ext): the file is not where asked"
  [ "$(ls -A "$work")" = v.shp ] || fail "export to a long path ($ext): files in the current directory"
done
[ -s "$ok/v.dbf" ] && [ -s "$ok/v.shx" ] || fail "export to a long path: Shapefile sidecars missing"

# SQLite opens paths up to 504 bytes (512 less "-journal"); import needs 11
# more for its working copy. Refused with the reason, nothing left behind.
dbdir="$TMP/$(printf 'f%.0s' $(seq 200))/$(printf 'f%.0s' $(seq 200))/$(printf 'g%.0s' $(seq 100))"
mkdir -p "$dbdir"
run import "$SRC/geodata/pudong_parks.geojson" --db "$dbdir/x.db" --quiet
expect_status 2 "import into a long database path"
expect_one_line_err "long database path"
expect_err "database path too long" "long database path says why"
expect_err "SQLite opens at most" "long database path names the limit"
[ -z "$(ls -A "$dbdir")" ] || fail "long database path: files left behind: $(ls -A "$dbdir")"

# A symbolic link as --db: followed.
mkdir -p "$TMP/real"
cp "$DB" "$TMP/real/a.db"
ln -s real/a.db "$TMP/link.db"
run import "$SRC/geodata/pudong_outline.geojson" --db "$TMP/link.db" --layer outline --quiet
expect_status 0 "import through a symbolic link"
[ -L "$TMP/link.db" ] || fail "import through a symbolic link replaced the link"
[ "$(readlink "$TMP/link.db")" = real/a.db ] || fail "the link points elsewhere"
run info --db "$TMP/real/a.db"
expect_out "outline" "the linked database got the new layer"
ls "$TMP/real" | grep -q 'tmp-' && fail "symbolic link: temporary copy left behind"
run import "$SRC/geodata/pudong_parks.geojson" --db "$TMP/link.db" --overwrite --quiet
expect_status 0 "import --overwrite through a symbolic link"
[ -L "$TMP/link.db" ] || fail "import --overwrite through a symbolic link replaced the link"
run info --db "$TMP/real/a.db"
expect_out "outline" "import --overwrite through the link kept the other layer"

ln -s nowhere.db "$TMP/dangling.db"
run import "$SRC/geodata/pudong_parks.geojson" --db "$TMP/dangling.db" --quiet
expect_status 4 "import through a link to nothing"
expect_one_line_err "link to nothing"
expect_err "symbolic link" "link to nothing says so"
[ -L "$TMP/dangling.db" ] && [ ! -e "$TMP/nowhere.db" ] || fail "link to nothing: something was created"

finish
