#!/usr/bin/env bash
# Issue 6, resource bounds (docs/limits.md): memory does not grow with the
# number of features (GDAL streams GeoJSON, parkmap holds one feature at a
# time), a polygon over the vertex limit is refused before it is built, and
# one just under it imports. Inputs are generated, a few MB each.
. "$(dirname "$0")/lib.sh"

gen() { # gen FILE NFEATURES
  python3 - "$1" "$2" <<'PY'
import json, sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write('{"type":"FeatureCollection","features":[\n')
    for i in range(n):
        x = 121.5 + (i % 400) * 0.0008; y = 31.0 + (i // 400) * 0.0008
        f.write(json.dumps({"type": "Feature", "properties": {"name": "park %d" % i, "note": "x" * 200, "n": i},
            "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + 0.0005, y], [x + 0.0005, y + 0.0005], [x, y + 0.0005], [x, y]]]}}))
        f.write(",\n" if i < n - 1 else "\n")
    f.write("]}\n")
PY
}

# peak_rss ARGS...: run parkmap, set $status and $rss (peak KB of the child).
peak_rss() {
  rss=$(python3 - "$PM" "$@" <<'PY'
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)
  status=${rss% *}
  rss=${rss#* }
}

gen "$TMP/small.geojson" 5000
gen "$TMP/large.geojson" 40000
peak_rss import "$TMP/small.geojson" --db "$TMP/small.db" --quiet
expect_status 0 "import 5,000 features"
rss_small=$rss
peak_rss import "$TMP/large.geojson" --db "$TMP/large.db" --quiet
expect_status 0 "import 40,000 features"
rss_large=$rss
size_small=$(($(stat -c %s "$TMP/small.geojson") / 1024))
size_large=$(($(stat -c %s "$TMP/large.geojson") / 1024))
echo "peak RSS: ${rss_small} KB for ${size_small} KB of GeoJSON, ${rss_large} KB for ${size_large} KB"
# 8x the input may cost at most a third of the extra input in memory
# (loading it whole would cost several times the extra input).
if ldd "$PM" 2>/dev/null | grep -q libasan; then
  echo "skip: memory bound under ASan (its quarantine holds freed memory)"
else
  [ $((rss_large - rss_small)) -lt $(((size_large - size_small) / 3)) ] ||
    fail "memory grows with the input: ${rss_small} KB -> ${rss_large} KB"
fi
[ "$(sqlite3 "$TMP/large.db" 'SELECT count(*) FROM parks')" = 40000 ] || fail "not all 40,000 stored"

# The vertex limit (1,000,000 by default; PARKMAP_MAX_VERTICES lowers it so
# the test stays small): refused with the feature named, before GDAL builds
# the polygon, also when not GeoJSON (the same limit on the OGR geometry).
python3 - "$TMP/circle.geojson" 20000 <<'PY'
import json, math, sys
n = int(sys.argv[2])
ring = [[121.6 + 0.01 * math.cos(2 * math.pi * i / n), 31.2 + 0.01 * math.sin(2 * math.pi * i / n)] for i in range(n)]
ring.append(ring[0])
sq = [[121.7, 31.2], [121.71, 31.2], [121.71, 31.21], [121.7, 31.21], [121.7, 31.2]]
json.dump({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "square"}, "geometry": {"type": "Polygon", "coordinates": [sq]}},
    {"type": "Feature", "properties": {"name": "circle"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]},
    open(sys.argv[1], "w"))
PY
run import "$TMP/circle.geojson" --db "$TMP/c.db" --quiet
expect_status 0 "20,001 vertices under the default limit"
out="$TMP/stdout" err="$TMP/stderr"
PARKMAP_MAX_VERTICES=10000 "$PM" import "$TMP/circle.geojson" --db "$TMP/c2.db" >"$out" 2>"$err"
status=$?
expect_status 3 "over the vertex limit"
expect_one_line_err "over the vertex limit"
expect_err "feature too large: $TMP/circle.geojson feature 1" "vertex limit names the feature"
expect_err "more than 10000 vertices" "vertex limit says why"
[ ! -e "$TMP/c2.db" ] || fail "vertex limit: database created"
# GeoJSONSeq is not pre-scanned: the limit holds on the geometry itself.
python3 -c "
import json; d = json.load(open('$TMP/circle.geojson'))
open('$TMP/circle.geojsonl', 'w').write(''.join(json.dumps(f) + '\n' for f in d['features']))"
PARKMAP_MAX_VERTICES=10000 "$PM" import "$TMP/circle.geojsonl" --db "$TMP/c3.db" >"$out" 2>"$err"
status=$?
expect_status 3 "over the vertex limit (GeoJSONSeq)"
expect_err "feature 1 (about 20001 vertices, more than the limit of 10000" "GeoJSONSeq vertex limit"

finish
