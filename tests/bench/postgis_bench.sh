#!/usr/bin/env bash
# parkmap on PostGIS against parkmap on SpatiaLite (the store a user has
# without a server), the same synthetic parcels, the same steps, the same
# run. Prints per step the median wall time and peak memory on each backend
# and the ratio PostGIS/SpatiaLite.
#
#   bash tests/bench/postgis_bench.sh [N]        default N: 1000000
#   BENCH_RUNS=3 bash tests/bench/postgis_bench.sh 100000
#
# Steps, with tests/bench/bench.sh's flags (so the SpatiaLite rows line up
# with docs/scaling.md's): import (--t-srs EPSG:4550), adjacency
# (--no-tables --csv), check (--target-km2 1 --no-tables), layout
# (--no-tables --csv), render (PNG 2000x2000); and the two steps of `parkmap
# build` that write: check writing qa_issues and adjacency (check_tables),
# and export of every layer to a GeoPackage; and build itself (file build
# against build --db, OUTDIR with the maps and the GeoPackage).
# BENCH_STEPS=build (or "import,check_tables", ...) runs only those steps.
#
# The server runs on this machine in a throwaway cluster
# (scripts/pg_cluster.sh: fsync off, shared_buffers 32MB), started here
# unless PM_PG_URL is already set. On PostGIS part of the work runs in the
# server, which /usr/bin/time of the client does not see, so two more
# columns: srv_cpu_s, the CPU seconds of the server's processes during the
# step (the postmaster's reaped children plus the live ones), and srv_MB,
# the peak of their summed RSS (sampled every 0.2 s; shared buffers count
# once per process that touched them, so it is an upper bound).
# Needs /usr/bin/time (Debian package "time").
set -u
shopt -u patsub_replacement 2>/dev/null # bash 5.2: "&" in a ${x//p/r} replacement would be the match
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -z "${PM_PG_URL:-}" ]; then
  dir=$(mktemp -d /tmp/pm_pgb_XXXXXX) || exit 1
  exec bash "$root/scripts/pg_cluster.sh" with "$dir" -- bash "$0" "$@"
fi
PM=${PM_BINARY:-$root/build/parkmap}
runs=${BENCH_RUNS:-1}
work=${BENCH_DIR:-/tmp/parkmap-bench}
n=${1:-1000000}
mkdir -p "$work"
[ -x "$PM" ] || { echo "no parkmap binary at $PM (build first, or set PM_BINARY)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)" >&2; exit 2; }
pgdata="$(dirname "$PGHOST")/data"
postmaster=$(head -1 "$pgdata/postmaster.pid")
tick=$(getconf CLK_TCK)

# Server CPU ticks so far: the postmaster's own and reaped children's, plus
# its live children's own.
srv_ticks() {
  local t=0 p
  read -r -a f <"/proc/$postmaster/stat"
  t=$((f[13] + f[14] + f[15] + f[16]))
  for p in $(pgrep -P "$postmaster"); do
    read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
    t=$((t + f[13] + f[14]))
  done
  echo "$t"
}

# Peak summed RSS (KB) of the server's processes until $work/sampling goes.
sample_rss() {
  local peak=0 s
  while [ -e "$work/sampling" ]; do
    s=$(ps -o rss= -p "$postmaster" --ppid "$postmaster" 2>/dev/null | awk '{s += $1} END {print s + 0}')
    [ "$s" -gt "$peak" ] && peak=$s
    sleep 0.2
  done
  echo "$peak" >"$work/srv_rss"
}

# measure PREP CMD...: runs PREP then CMD $runs times; prints
# "median_s peak_client_kb server_cpu_s peak_server_kb" (server figures of
# the median run's neighbourhood: the maximum over runs for memory, the
# median for CPU).
measure() {
  local prep=$1 i out t m c0 c1 ts=() ms=() cs=() ss=()
  shift
  for ((i = 0; i < runs; i++)); do
    [ -n "$prep" ] && eval "$prep"
    c0=$(srv_ticks)
    touch "$work/sampling"
    sample_rss &
    local sampler=$!
    /usr/bin/time -o "$work/time.out" -f "%e %M" "$@" >/dev/null 2>"$work/step.err"
    local st=$?
    rm -f "$work/sampling"
    wait "$sampler"
    c1=$(srv_ticks)
    if [ "$st" -gt 1 ]; then
      echo "step failed ($st): $*" >&2
      head -3 "$work/step.err" >&2
    fi
    out=$(tail -1 "$work/time.out")
    ts+=("${out% *}")
    ms+=("${out#* }")
    cs+=("$(awk -v a="$c0" -v b="$c1" -v k="$tick" 'BEGIN {printf "%.2f", (b - a) / k}')")
    ss+=("$(cat "$work/srv_rss")")
  done
  printf '%s %s %s %s\n' \
    "$(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
    "$(printf '%s\n' "${ms[@]}" | sort -n | tail -1)" \
    "$(printf '%s\n' "${cs[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
    "$(printf '%s\n' "${ss[@]}" | sort -n | tail -1)"
}

printf '%-13s %9s %8s %7s %8s %7s %10s %7s %8s %8s\n' step features sl_s sl_MB pg_s pg_MB \
  srv_cpu_s srv_MB t_ratio m_ratio
row() { # step sl_t sl_m pg_t pg_m srv_c srv_m
  printf '%-13s %9s %8s %7s %8s %7s %10s %7s %8s %8s\n' "$1" "$n" "$2" "$(($3 / 1024))" "$4" \
    "$(($5 / 1024))" "$6" "$(($7 / 1024))" \
    "$(awk -v a="$4" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" \
    "$(awk -v a="$5" -v b="$3" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
}

src="$work/parcels_$n.geojson"
[ -s "$src" ] || python3 "$here/gen_parcels.py" "$n" "$src"
sl="$work/pgb_$n.db"
pg=$PM_PG_URL

# step NAME SL_PREP PG_PREP ARGS... (ARGS with @DB@ where --db goes);
# BENCH_STEPS (a space- or comma-separated list) runs only the steps named.
steps=" ${BENCH_STEPS:-import adjacency check check_tables layout render export build} "
steps=${steps//,/ }
want() { [[ "$steps" == *" $1 "* ]]; }
step() {
  local name=$1 slprep=$2 pgprep=$3 a=() b=() x
  shift 3
  want "$name" || return 0
  for x in "$@"; do
    a+=("${x//@DB@/$sl}")
    b+=("${x//@DB@/$pg}")
  done
  read -r st sm _ _ < <(measure "$slprep" "$PM" "${a[@]}")
  read -r pt pm pc ps < <(measure "$pgprep" "$PM" "${b[@]}")
  row "$name" "$st" "$sm" "$pt" "$pm" "$pc" "$ps"
}

step import "rm -f '$sl'" "" import "$src" --db @DB@ --t-srs EPSG:4550 --overwrite --quiet
step adjacency "" "" adjacency --db @DB@ --no-tables --csv
step check "" "" check --db @DB@ --target-km2 1 --no-tables
step check_tables "" "" check --db @DB@ --target-km2 1 --quiet
step layout "" "" layout --db @DB@ --no-tables --csv
step render "" "" render --db @DB@ -o "$work/pgb_map_$n.png" --width 2000 --height 2000 --overwrite
step export "" "" export --db @DB@ -o "$work/pgb_$n.gpkg" --layers all --overwrite
rm -f "$work/pgb_$n.gpkg" "$work/pgb_map_$n.png"
# The whole job: `parkmap build` of the parcels, OUTDIR/parks.db on
# SpatiaLite against `build --db` (the layers on the server, the maps and
# the GeoPackage in OUTDIR), as docs/scaling.md's 1M build was run.
if want build; then
  read -r st sm _ _ < <(measure "rm -rf '$work/pgb_build_sl'" "$PM" build "$src" \
    -o "$work/pgb_build_sl" --quiet)
  read -r pt pm pc ps < <(measure "rm -rf '$work/pgb_build_pg'" "$PM" build "$src" --db "$pg" \
    -o "$work/pgb_build_pg" --overwrite --quiet)
  row build "$st" "$sm" "$pt" "$pm" "$pc" "$ps"
  rm -rf "$work/pgb_build_sl" "$work/pgb_build_pg"
fi
