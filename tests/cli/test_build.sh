#!/usr/bin/env bash
# The main job end to end: parkmap build on the shipped data.
. "$(dirname "$0")/lib.sh"
OUT="$TMP/out"
run build "$SRC/geodata/pudong_parks.geojson" --outline "$SRC/geodata/pudong_outline.geojson" \
  -o "$OUT"
expect_status 0 "build passes on the shipped data"
expect_out "15 imported, stored in EPSG:4550" "report: parks and CRS"
expect_out "against 43.000 km2" "report: the target"
expect_out "2 pairs share a boundary" "report: adjacency"
expect_out "check:        PASS" "report: verdict"
for f in parks.db map.png map.svg parks.gpkg; do
  [ -s "$OUT/$f" ] || fail "build wrote $f"
done
ogrinfo -ro -so "$OUT/parks.gpkg" >"$TMP/layers.txt" 2>&1
for l in parks outline adjacency qa_issues clusters; do
  grep -q "^[0-9]*: $l " "$TMP/layers.txt" || fail "parks.gpkg holds layer $l"
done
# The render style travels with the data: QGIS reads layer_styles.
ogrinfo -ro -q "$OUT/parks.gpkg" -sql \
  "SELECT styleQML FROM layer_styles WHERE f_table_name = 'parks' AND useAsDefault = 1" \
  >"$TMP/qml.txt" 2>&1
grep -q 'attr="industry"' "$TMP/qml.txt" || fail "parks style is categorised by industry"
grep -q 'value="integrated circuits"' "$TMP/qml.txt" || fail "parks style names the categories"

# Sweep 9: earlier results are replaced only with --overwrite (exit 2, and
# nothing touched, without it).
sums() { (cd "$OUT" && sha256sum parks.db map.png map.svg parks.gpkg); }
before=$(sums)
run build "$SRC/geodata/pudong_parks.geojson" -o "$OUT" --target-km2 50
expect_status 2 "build over earlier results without --overwrite"
expect_err "output exists" "the refusal says why"
expect_one_line_err "build over earlier results without --overwrite"
[ "$(sums)" = "$before" ] || fail "a refused build changed earlier results"
# A build that fails on bad input leaves earlier results as they were, and
# removes an OUTDIR it created itself.
printf '{"type": "FeatureCollection", "features": [' >"$TMP/bad.geojson"
run build "$TMP/bad.geojson" -o "$OUT" --overwrite
[ "$status" -eq 3 ] || [ "$status" -eq 4 ] || fail "build of a broken file: exit status $status"
[ "$(sums)" = "$before" ] || fail "a failed build changed earlier results"
ls -a "$OUT" | grep -q '^\.parkmap-build\.tmp-' && fail "a failed build left its staging directory"
run build "$TMP/bad.geojson" -o "$TMP/newout"
[ -e "$TMP/newout" ] && fail "a failed build left the OUTDIR it created"

run build "$SRC/geodata/pudong_parks.geojson" -o "$OUT" --target-km2 50 --json --overwrite
expect_status 1 "a 50 km2 target fails the build's check"
py_json "assert d['pass'] is False and d['files'][-1].endswith('parks.gpkg')" "build --json"

# Any polygon layer builds (issue 16, item 10): without an industry field
# the clusters are over all parks only, with a warning; --by names another.
python3 - "$TMP" <<'PY'
import json, sys
def sq(x0, y0, d):
    return [[[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]]
json.dump({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "P%d" % i, "zone": "z%d" % (i % 2)},
     "geometry": {"type": "Polygon", "coordinates": sq(121.6 + i * 0.002, 31.2, 0.001)}}
    for i in range(4)]}, open(sys.argv[1] + "/plain.geojson", "w"))
PY
run build "$TMP/plain.geojson" -o "$TMP/plain" --target-km2 0.04 --tolerance-pct 20 --json
expect_status 0 "build without an industry field"
expect_err "has no field 'industry': clusters are computed over all parks only" \
  "the missing field is named"
for f in parks.db map.png map.svg parks.gpkg; do
  [ -s "$TMP/plain/$f" ] || fail "build without industry wrote $f"
done
run build "$TMP/plain.geojson" -o "$TMP/plain2" --target-km2 0.04 --tolerance-pct 20 --by zone
expect_status 0 "build --by another field"
[ -s "$TMP/plain2/parks.gpkg" ] || fail "build --by zone wrote its GeoPackage"
run layout --db "$TMP/plain2/parks.db" --by zone --no-tables --json
py_json "assert sorted({c['scope'] for c in d['clusters']}) == ['all', 'z0', 'z1'], d['clusters']" \
  "per-zone clusters"

# Sweep 9: Ctrl-C (and TERM, HUP) during build cancels it at any stage
# through the normal cleanup: no staging directory or working copy left,
# the earlier results untouched, and build ends by the signal.
python3 "$SRC/tests/bench/gen_hexagons.py" 5000 "$TMP/hex.geojson" >/dev/null
printf '%s\n' 'import os, signal, sys' \
  'for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE): signal.signal(s, signal.SIG_DFL)' \
  'os.execvp(sys.argv[1], sys.argv[1:])' >"$TMP/dfl.py"
before=$(sums)
for sig in INT TERM HUP; do
  n=$(kill -l "$sig")
  for try in 1 2 3; do
    python3 "$TMP/dfl.py" "$PM" build "$TMP/hex.geojson" -o "$OUT" --overwrite \
      >"$TMP/stdout" 2>"$TMP/stderr" &
    pid=$!
    for i in $(seq 1 500); do
      compgen -G "$OUT/.parkmap-build.tmp-*" >/dev/null && break
      sleep 0.01
    done
    kill -"$sig" "$pid"
    wait "$pid" 2>/dev/null
    status=$?
    # Finished before the signal arrived (a fast machine): again.
    [ "$status" -ne 0 ] && [ "$status" -ne 1 ] && break
    (cd "$OUT" && sha256sum parks.db map.png map.svg parks.gpkg) >/dev/null
    before=$(sums)
  done
  expect_status $((128 + n)) "build stopped by SIG$sig"
  ls -a "$OUT" | grep -q 'tmp-' && fail "SIG$sig: build left a working file in OUTDIR"
  [ "$(sums)" = "$before" ] || fail "SIG$sig: a cancelled build changed earlier results"
done

finish
