#!/usr/bin/env bash
# parkmap against the tools a planner would otherwise run, on the same
# synthetic parcels in the same run. Prints, per size and step, the median
# wall time and peak memory of each tool and the ratio parkmap/peer.
#
#   bash tests/bench/bench.sh [SIZES...]     default: 1000 100000
#   BENCH_RUNS=5 bash tests/bench/bench.sh 1000 100000 1000000
#
# Peers (skipped, with a note, when missing; this script installs nothing):
#   import     ogr2ogr -f SQLite -dsco SPATIALITE=YES -t_srs EPSG:4550
#   adjacency  the spatialite shell's indexed self-join (ST_Touches + shared length)
# parkmap steps: import, check, adjacency, layout (clusters at 500 m, per
# industry), render (PNG 2000x2000).
# Needs /usr/bin/time (Debian package "time") for peak memory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PM=${PM_BINARY:-$root/build/parkmap}
runs=${BENCH_RUNS:-3}
work=${BENCH_DIR:-/tmp/parkmap-bench}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000)
mkdir -p "$work"

BENCH_PREP=""
[ -x "$PM" ] || { echo "no parkmap binary at $PM (build first, or set PM_BINARY)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)" >&2; exit 2; }
have_ogr=1; command -v ogr2ogr >/dev/null || { have_ogr=0; echo "note: ogr2ogr missing: import peer skipped"; }
have_spl=1; command -v spatialite >/dev/null || { have_spl=0; echo "note: spatialite shell missing: adjacency peer skipped"; }

# measure LABEL CMD...: runs CMD $runs times; prints "median_s peak_kb"
measure() {
  local i out t m ts=() ms=()
  for ((i = 0; i < runs; i++)); do
    [ -n "${BENCH_PREP:-}" ] && eval "$BENCH_PREP"
    /usr/bin/time -o "$work/time.out" -f "%e %M" "$@" >/dev/null 2>&1
    out=$(tail -1 "$work/time.out")
    t=${out% *}; m=${out#* }
    ts+=("$t"); ms+=("$m")
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%s ", a[int((NR+1)/2)]}'
  printf '%s\n' "${ms[@]}" | sort -n | tail -1
}

row() { # step size pm_t pm_m peer_t peer_m
  local ratio="-" mratio="-"
  if [ "$5" != "-" ]; then
    ratio=$(awk -v a="$3" -v b="$5" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
    mratio=$(awk -v a="$4" -v b="$6" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
  fi
  printf '%-10s %9s %10s %10s %10s %10s %8s %8s %12s\n' "$1" "$2" "$3" "$(($4 / 1024))" "$5" \
    "$([ "$6" = "-" ] && echo - || echo $(($6 / 1024)))" "$ratio" "$mratio" \
    "$(awk -v t="$3" -v n="$2" 'BEGIN {printf "%.2f", t / n * 1e6}')"
}

printf '%-10s %9s %10s %10s %10s %10s %8s %8s %12s\n' step features parkmap_s pm_MB peer_s \
  peer_MB t_ratio m_ratio us/feature
for n in "${sizes[@]}"; do
  src="$work/parcels_$n.geojson"
  [ -s "$src" ] || python3 "$here/gen_parcels.py" "$n" "$src"
  db="$work/pm_$n.db"
  BENCH_PREP="rm -f '$db'"
  read -r it im < <(measure "$PM" import "$src" --db "$db" --t-srs EPSG:4550 --quiet)
  pt=- pm=-
  if [ $have_ogr = 1 ]; then
    BENCH_PREP="rm -f '$work/ogr_$n.db'"
    read -r pt pm < <(measure ogr2ogr -f SQLite \
      -dsco SPATIALITE=YES -t_srs EPSG:4550 -nln parks -lco GEOMETRY_NAME=geom "$work/ogr_$n.db" "$src")
  fi
  row import "$n" "$it" "$im" "$pt" "$pm"
  BENCH_PREP=""
  "$PM" import "$src" --db "$db" --t-srs EPSG:4550 --quiet --overwrite >/dev/null 2>&1
  read -r at am < <(measure "$PM" adjacency --db "$db" --no-tables --csv)
  pt=- pm=-
  if [ $have_spl = 1 ] && [ -s "$work/ogr_$n.db" ]; then
    read -r pt pm < <(measure spatialite "$work/ogr_$n.db" "SELECT a.ogc_fid, b.ogc_fid,
      ST_Length(ST_Intersection(a.geom, b.geom)) FROM parks AS a, parks AS b
      WHERE a.ogc_fid < b.ogc_fid AND b.ROWID IN (SELECT rowid FROM SpatialIndex
      WHERE f_table_name = 'parks' AND search_frame = a.geom) AND ST_Touches(a.geom, b.geom);")
  fi
  row adjacency "$n" "$at" "$am" "$pt" "$pm"
  read -r ct cm < <(measure "$PM" check --db "$db" --target-km2 1 --no-tables)
  row check "$n" "$ct" "$cm" - -
  read -r lt lm < <(measure "$PM" layout --db "$db" --no-tables --csv)
  row layout "$n" "$lt" "$lm" - -
  read -r rt rm < <(measure "$PM" render --db "$db" -o "$work/map_$n.png" --width 2000 \
    --height 2000 --overwrite)
  row render "$n" "$rt" "$rm" - -
done
