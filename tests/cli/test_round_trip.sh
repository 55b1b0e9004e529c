#!/usr/bin/env bash
# Export -> import round trips, one per format: names, planned areas and
# industries survive, areas agree within 1e-6 relative, and source_fid does
# not pile up (source_fid_2, source_fid_2_2, ...) cycle after cycle. KML's
# Name comes back as name; a Shapefile's short names come back long through
# the NAME.fields.csv the export writes beside it.
. "$(dirname "$0")/lib.sh"

GJ="$SRC/geodata/pudong_parks.geojson"
P="$TMP/P.db"
run import "$GJ" --db "$P" --quiet
expect_status 0 "import the shipped parks"

rows() { # DB: one line per park, ordered by name
  sqlite3 -separator "|" "$1" "SELECT id, name, industry, planned_area_km2 FROM parks ORDER BY name"
}
areas() { # DB: name and ellipsoidal km2, from area --json
  "$PM" area --db "$1" --json | python3 -c '
import json, sys
for x in sorted(json.load(sys.stdin)["parks"], key=lambda x: x["name"]):
    print(x["ellipsoidal_km2"], x["name"])'
}
want_rows=$(rows "$P")
areas "$P" >"$TMP/areas0"
[ -n "$want_rows" ] || fail "no parks to compare"

for ext in geojson gpkg shp kml fgb csv; do
  db="$P"
  for cycle in 1 2 3; do
    mkdir -p "$TMP/$ext$cycle"
    file="$TMP/$ext$cycle/parks.$ext"
    run export --db "$db" -o "$file"
    expect_status 0 "export .$ext (cycle $cycle)"
    next="$TMP/$ext$cycle.db"
    run import "$file" --db "$next" --quiet
    expect_status 0 "import .$ext (cycle $cycle)"
    [ "$status" -eq 0 ] || break
    db="$next"
  done
  [ "$status" -eq 0 ] || continue
  got_rows=$(rows "$db")
  [ "$got_rows" = "$want_rows" ] || fail ".$ext round trip: name/industry/planned_area_km2 differ:
$(diff <(echo "$want_rows") <(echo "$got_rows") | head -6)"
  cols=$(sqlite3 "$db" "SELECT group_concat(name, ' ') FROM pragma_table_info('parks')")
  case " $cols " in
    *" source_fid_"*) fail ".$ext round trip piles up source_fid: $cols" ;;
  esac
  case " $cols " in
    *" planned_ar "* | *" Name "*) fail ".$ext round trip keeps a format's field name: $cols" ;;
  esac
  areas "$db" >"$TMP/areas_$ext"
  python3 - "$TMP/areas0" "$TMP/areas_$ext" <<'PY' || fail ".$ext round trip: areas differ"
import sys
a = [l.rstrip("\n").split(" ", 1)[::-1] for l in open(sys.argv[1])]
b = [l.rstrip("\n").split(" ", 1)[::-1] for l in open(sys.argv[2])]
assert len(a) == len(b) and a, (len(a), len(b))
for (na, va), (nb, vb) in zip(a, b):
    assert na == nb, (na, nb)
    assert abs(float(va) - float(vb)) <= 1e-6 * abs(float(va)), (na, va, vb)
PY
done

# GeoJSON's feature "id" member (1..15 in the shipped file, which GDAL
# makes the FID) is stored as the id attribute that compare matches on; a
# file where only some features have one gets no id column (an id that the
# store made up would match parks that are not the same).
[ "$(sqlite3 "$P" "SELECT group_concat(id) FROM (SELECT id FROM parks ORDER BY pk)")" = \
  "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" ] || fail "GeoJSON id members not stored as id"
python3 - "$GJ" "$TMP/someid.geojson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["features"][1:]:
    del f["id"]
json.dump(d, open(sys.argv[2], "w"))
PY
run import "$TMP/someid.geojson" --db "$TMP/someid.db" --quiet
expect_status 0 "import with one id member"
sqlite3 "$TMP/someid.db" "SELECT id FROM parks" >/dev/null 2>&1 &&
  fail "an id column was made up for features without an id member"

# A .fields.csv that is not parkmap's is ignored, with a warning.
mkdir -p "$TMP/bad"
run export --db "$P" -o "$TMP/bad/p.shp"
printf 'garbage\n' >"$TMP/bad/p.fields.csv"
run import "$TMP/bad/p.shp" --db "$TMP/bad.db" --quiet
expect_status 0 "a foreign .fields.csv does not stop the import"
expect_err "not a field map as parkmap's export writes it" "a foreign .fields.csv is named"

finish
