#!/usr/bin/env bash
# The declarative command line: every option in each command's generated
# --help (and in the README), the short forms from GDAL habit (-q, -o, -f),
# and a malformed number as one usage line with exit status 2.
. "$(dirname "$0")/lib.sh"
DB="$TMP/p.db"
PARKS="$SRC/geodata/pudong_parks.geojson"

# --help lists every option the command takes; the lists are the contract.
declare -A OPTS=(
  [import]="--db --layer --src-layer --s-srs --t-srs --overwrite --skip-invalid --allow-invalid -q --quiet"
  [info]="--db --json"
  [area]="--db --layer --by --json --csv"
  [check]="--db --layer --target-km2 --tolerance-pct --park-tolerance-pct --gap-m --snap-m --min-part-m2 --within --make-valid --no-tables -q --quiet --json --csv"
  [adjacency]="--db --layer --snap-m --tolerance-m --no-tables -q --quiet --json --csv"
  [clean]="--db --layer --to --snap-m --overwrite -q --quiet --json"
  [layout]="--db --layer --cluster-m --by --no-tables -q --quiet --json --csv"
  [compare]="--db --against --layer --key --target-km2 --tolerance-pct --cluster-m --by --tolerance-m --hausdorff-m --area-m2 --no-tables -q --quiet --json --csv"
  [render]="--db -o --output -f --format --style --width --height --dpi --overwrite"
  [export]="--db -o --output -f --format --layers --t-srs --style --overwrite"
  [build]="-o --output --outline --style --target-km2 --tolerance-pct --gap-m --snap-m --by -q --quiet --json"
)
for cmd in "${!OPTS[@]}"; do
  run "$cmd" --help
  expect_status 0 "$cmd --help"
  expect_out "usage: parkmap $cmd" "$cmd --help synopsis"
  for opt in ${OPTS[$cmd]} --help; do
    grep -qE -- "(^|[ ,[|])$opt([ ,]|\$)" "$out" || fail "$cmd --help lacks $opt"
  done
  [ ! -s "$err" ] || fail "$cmd --help writes to stderr"
  run "$cmd" -h
  expect_status 0 "$cmd -h"
  # The README's synopsis names no option --help leaves out.
  for opt in $(awk -v c="$cmd" '/^## Commands/ { sec = 1 } sec && /^```/ { fence++; next }
                                fence == 1 && $1 == "parkmap" { on = ($2 == c) }
                                fence == 1 && on' "$SRC/README.md" |
               grep -oE -- '--[a-z0-9-]+' | sort -u); do
    grep -q -- "$opt" "$out" || fail "README lists $opt for $cmd, --help does not"
  done
done

run import "$PARKS" --db "$DB" -q
expect_status 0 "import -q"
[ ! -s "$err" ] || fail "import -q is silent"

# -q silences the progress line on a terminal, as --quiet does.
if command -v script >/dev/null; then
  PARKMAP_PROGRESS_AFTER=0 script -qec "'$PM' check --db '$DB' -q --no-tables" \
    /dev/null >"$TMP/tty" 2>&1
  grep -aq "qa: " "$TMP/tty" && fail "check -q draws no progress"
  grep -aq "check:" "$TMP/tty" || fail "check -q still reports"
fi
for cmd in adjacency layout; do
  run "$cmd" --db "$DB" -q --no-tables --json
  expect_status 0 "$cmd -q"
done

# -o and --output are one option.
run render --db "$DB" -o "$TMP/a.svg"
expect_status 0 "render -o"
run render --db "$DB" --output "$TMP/b.svg"
expect_status 0 "render --output"
cmp -s "$TMP/a.svg" "$TMP/b.svg" || fail "render -o and --output write the same map"

# -f names the format where the extension says nothing: the extension is
# added, as ogr2ogr -f's driver name would choose it.
run export --db "$DB" -o "$TMP/parks" -f GeoJSON
expect_status 0 "export -f GeoJSON"
expect_out "wrote $TMP/parks.geojson" "export -f names the file written"
python3 -c "import json; d = json.load(open('$TMP/parks.geojson')); assert len(d['features']) == 15" ||
  fail "export -f GeoJSON writes GeoJSON"
mkdir "$TMP/shp"
run export --db "$DB" -o "$TMP/shp/parks" --format "ESRI Shapefile"
expect_status 0 "export --format 'ESRI Shapefile'"
[ -s "$TMP/shp/parks.shp" ] && [ -s "$TMP/shp/parks.dbf" ] || fail "export -f writes a Shapefile"
run export --db "$DB" -o "$TMP/same.gpkg" -f gpkg
expect_status 0 "export -f agreeing with the extension"
[ -s "$TMP/same.gpkg" ] || fail "export -f gpkg keeps OUT.gpkg"
run export --db "$DB" -o "$TMP/other.shp" -f GPKG
expect_status 2 "export -f against the extension"
expect_one_line_err "export -f against the extension"
[ ! -e "$TMP/other.shp" ] || fail "a refused export writes nothing"
run export --db "$DB" -o "$TMP/x" -f DXF
expect_status 2 "export -f unknown"
expect_one_line_err "export -f unknown"
expect_err "GeoJSON" "export -f unknown lists the formats"
run render --db "$DB" -o "$TMP/map" -f svg
expect_status 0 "render -f svg"
head -c 200 "$TMP/map.svg" | grep -q "<svg" || fail "render -f svg writes SVG"

# A malformed number is one usage line and exit status 2, before anything
# is read or written.
for args in "render --db $DB -o $TMP/m.png --dpi abc" "render --db $DB -o $TMP/m.png --width 800px" \
            "render --db $DB -o $TMP/m.png --height 600.5" "check --db $DB --target-km2 4x3" \
            "adjacency --db $DB --tolerance-m ''" "layout --db $DB --cluster-m 1e999" \
            "build $PARKS -o $TMP/b --gap-m five" "clean --db $DB --snap-m 0.5m"; do
  eval "run $args"
  expect_status 2 "$args"
  expect_one_line_err "$args"
done
expect_err "--snap-m needs a number: 0.5m" "the message names the option and the word"
[ ! -e "$TMP/m.png" ] && [ ! -e "$TMP/b" ] || fail "a usage error writes nothing"

finish
