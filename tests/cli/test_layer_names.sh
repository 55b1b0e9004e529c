#!/usr/bin/env bash
# Layer names: one set of rules (pm_store_check_layer_name) for import,
# clean --to, the derived layers and every --layer. A 300-byte name once
# overflowed the CREATE TABLE builder; clean --to once replaced another
# layer's R*Tree or SpatiaLite's own tables.
. "$(dirname "$0")/lib.sh"

GJ="$SRC/geodata/pudong_parks.geojson"
P="$TMP/P.db"
run import "$GJ" --db "$P" --quiet
expect_status 0 "import parks"
sum() { sqlite3 "$P" .dump | sha256sum; }
before=$(sum)

long() { printf 'x%.0s' $(seq 1 "$1"); }

# Over the limit: exit 2, one line, no working copy left, no database made.
for n in 64 270 300 5000; do
  run import "$GJ" --db "$TMP/N$n.db" --layer "$(long "$n")" --quiet
  expect_status 2 "import --layer of $n bytes"
  expect_one_line_err "import --layer of $n bytes"
  expect_err "bad layer name: " "import --layer of $n bytes names the fault"
  expect_err "longer than 63 bytes" "import --layer of $n bytes says why"
  grep -q "replaced by another program" "$err" && fail "import --layer of $n bytes: untrue reason"
  ls "$TMP" | grep -q "^N$n.db" && fail "import --layer of $n bytes left a file behind"
done
# At the limit: works, and every command reads it.
L63=$(long 63)
run import "$GJ" --db "$TMP/N63.db" --layer "$L63" --quiet
expect_status 0 "import --layer of 63 bytes"
run check --db "$TMP/N63.db" --layer "$L63" --no-tables
[ "$status" -le 1 ] || fail "check --layer of 63 bytes: exit $status"
run clean --db "$TMP/N63.db" --layer "$L63" --to short --quiet
expect_status 0 "clean a 63-byte layer"
# Every command taking --layer refuses an impossible name the same way.
for cmd in area check adjacency layout clean; do
  run "$cmd" --db "$P" --layer "$(long 300)"
  expect_status 2 "$cmd --layer of 300 bytes"
  expect_one_line_err "$cmd --layer of 300 bytes"
  expect_err "bad layer name: " "$cmd --layer of 300 bytes names the fault"
done

# clean --to obeys import's rules: exit 2, one line, the database untouched.
for to in idx_parks_geom parkmap_meta spatial_ref_sys geometry_columns SpatialIndex KNN \
  views_geometry_columns sqlite_x 'a"b' adjacency Clusters "$(long 64)" "$(long 300)"; do
  for mode in --overwrite ""; do
    run clean --db "$P" --to "$to" $mode --quiet
    expect_status 2 "clean --to $to $mode"
    expect_one_line_err "clean --to $to $mode"
    expect_err "bad layer name: " "clean --to $to $mode names the fault"
  done
done
[ "$(sum)" = "$before" ] || fail "a refused clean --to changed the database"
sqlite3 "$P" "SELECT sql FROM sqlite_master WHERE name = 'idx_parks_geom'" | grep -qi rtree ||
  fail "the parks R*Tree is gone"
# A good name still works.
run clean --db "$P" --to parks_fixed --quiet
expect_status 0 "clean --to parks_fixed"

# Commands that measure or repair parks refuse a line layer (adjacency's
# shared boundaries) instead of treating lines as 0 km2 parks.
run adjacency --db "$P" --quiet
expect_status 0 "adjacency writes its line layer"
for cmd in check area adjacency layout clean; do
  run "$cmd" --db "$P" --layer adjacency
  expect_status 2 "$cmd --layer adjacency"
  expect_one_line_err "$cmd --layer adjacency"
  expect_err "not a polygon layer: $P layer adjacency (it holds MULTILINESTRING" "$cmd names the layer and its type"
done
[ -z "$(sqlite3 "$P" "SELECT name FROM sqlite_master WHERE name = 'adjacency_clean'")" ] ||
  fail "clean of a line layer wrote adjacency_clean"

finish
