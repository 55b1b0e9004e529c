#!/usr/bin/env bash
# Issue 14 item 3, the parity suite: the same pipeline on a SpatiaLite file
# and on a PostGIS database, and the answers compared
# (tests/pg/parity_compare.py states the rules and why 1e-9 holds).
#
#   bash tests/pg/run_pg_test.sh bash tests/pg/parity.sh    (ctest pg_parity)
#
# Side A is a SpatiaLite file in a temporary directory; side B is the
# throwaway cluster's database ($PM_PG_URL, exported by
# scripts/pg_cluster.sh), or PARITY_B_DB when set (another SpatiaLite file,
# to try the harness without a server). Layers: the shipped parks and the
# outline, 3,000 synthetic parcels (tests/bench/gen_parcels.py; many of
# them outside the outline) and a layer with an overlap, a sliver gap, a
# T-junction and a near miss (tests/pg/parity_data.py). On each of
# parcels, findings and parks (parks last, so the derived tables that
# render, export and report see are the parks'): area, check --within
# outline, adjacency, layout, clean; then render, export and report.
# Before comparing, the comparison itself is checked: it must accept an
# equivalent copy of side A and catch each of a set of perturbations (one
# area x (1+1e-8), a relation, a problem kind, a pixel, a GeoPackage
# value, a report figure, an exit status).
. "$(dirname "$0")/../cli/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

B=${PARITY_B_DB:-${PM_PG_URL:-}}
if [ -z "$B" ]; then
  echo "parity: no second database: PM_PG_URL is unset (run me through tests/pg/run_pg_test.sh)" \
    "and PARITY_B_DB is not set" >&2
  exit 1
fi
label_b=PostGIS
[ -n "${PARITY_B_DB:-}" ] && label_b="PARITY_B_DB"

python3 "$SRC/tests/bench/gen_parcels.py" 3000 "$TMP/parcels.geojson" ||
  { echo "FAIL: gen_parcels.py" >&2; exit 1; }
python3 "$here/parity_data.py" "$SRC" "$TMP/findings.geojson" ||
  { echo "FAIL: parity_data.py" >&2; exit 1; }

# side DIR DB: the pipeline on DB; each step's exit status goes to
# DIR/status.txt, its stdout to DIR/<step>.json (or .out), stderr to .err.
side() {
  local dir=$1 db=$2 l
  mkdir -p "$dir"
  : >"$dir/status.txt"
  step() { # NAME EXT ARGS...
    local name=$1 ext=$2 st
    shift 2
    "$PM" "$@" >"$dir/$name.$ext" 2>"$dir/$name.err"
    st=$?
    echo "$name $st" >>"$dir/status.txt"
  }
  step import_parks out import "$SRC/geodata/pudong_parks.geojson" --db "$db" --overwrite --quiet
  step import_outline out import "$SRC/geodata/pudong_outline.geojson" --db "$db" --layer outline \
    --overwrite --quiet
  step import_parcels out import "$TMP/parcels.geojson" --db "$db" --layer parcels --overwrite --quiet
  step import_findings out import "$TMP/findings.geojson" --db "$db" --layer findings --overwrite --quiet
  for l in parcels findings parks; do
    step "area_$l" json area --db "$db" --layer "$l" --json
    step "check_$l" json check --db "$db" --layer "$l" --within outline --json --quiet
    step "adjacency_$l" json adjacency --db "$db" --layer "$l" --json --quiet
    step "layout_$l" json layout --db "$db" --layer "$l" --json --quiet
    step "clean_$l" json clean --db "$db" --layer "$l" --to "${l}_clean" --overwrite --json --quiet
  done
  step render out render --db "$db" -o "$dir/map.png" --width 900 --height 700 --overwrite
  step export out export --db "$db" -o "$dir/export.gpkg" --layers all --overwrite
  step report_parks out report --db "$db" -o "$dir/report_parks.html" --overwrite --quiet
  step report_findings out report --db "$db" --layer findings -o "$dir/report_findings.html" \
    --overwrite --quiet
}

side "$TMP/a" "$TMP/a.db"

# Side A must have done what the pipeline is for, or there is nothing to
# compare: every step 0, except check on the two layers with findings (1).
want="import_parks 0 import_outline 0 import_parcels 0 import_findings 0
area_parcels 0 check_parcels 1 adjacency_parcels 0 layout_parcels 0 clean_parcels 0
area_findings 0 check_findings 1 adjacency_findings 0 layout_findings 0 clean_findings 0
area_parks 0 check_parks 0 adjacency_parks 0 layout_parks 0 clean_parks 0
render 0 export 0 report_parks 0 report_findings 0"
if [ "$(tr '\n' ' ' <"$TMP/a/status.txt" | xargs)" != "$(echo $want)" ]; then
  echo "FAIL: the SpatiaLite side did not run as expected:" >&2
  paste -d' ' "$TMP/a/status.txt" >&2
  for f in "$TMP"/a/*.err; do [ -s "$f" ] && { echo "--- $f" >&2; head -5 "$f" >&2; }; done
  exit 1
fi

python3 "$here/parity_compare.py" --selftest "$TMP/a" ||
  { echo "FAIL: the comparison does not catch what it must" >&2; exit 1; }

side "$TMP/b" "$B"
if ! python3 "$here/parity_compare.py" "$TMP/a" "$TMP/b" SpatiaLite "$label_b"; then
  for f in "$TMP"/b/*.err; do
    [ -s "$f" ] && { echo "--- $label_b stderr, ${f##*/}:" >&2; head -3 "$f" >&2; }
  done
  echo "FAIL: $label_b differs from SpatiaLite" >&2
  exit 1
fi
echo "all checks passed"
