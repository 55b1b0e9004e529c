#!/usr/bin/env bash
# The HTML report at scale (issue 13): N synthetic parcels (gen_parcels.py,
# default 100,000) imported, `parkmap report` written, and the targets
# checked: the file under 20 MB, and opened in headless Chromium (Debian's
# chromium; tests/browser/cdp.py) from navigation start to parkmap.ready in
# under 5 s, the median of BENCH_RUNS (default 3) cold loads. Exit 1 when a
# target is missed, or when the page logs a console error or makes a
# request.
#
#   bash tests/bench/report_bench.sh [N]
#
# The comparison report (report --against B, B the same parcels imported
# again: every parcel matched, unchanged) is timed too, one row; it writes
# a second database. BENCH_AGAINST=0 skips it.
#
# Peer, for a ratio (skipped, with a note, when missing; this script installs
# nothing): what a planner would otherwise publish, the same parcels as
# plain GeoJSON in a minimal Leaflet page (Debian's libjs-leaflet, inlined;
# canvas renderer, fit to the data), loaded the same way.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PM=${PM_BINARY:-$root/build/parkmap}
runs=${BENCH_RUNS:-3}
work=${BENCH_DIR:-/tmp/parkmap-bench}
n=${1:-100000}
max_mb=20
max_s=5
leaflet=${BENCH_LEAFLET:-/usr/share/javascript/leaflet}
mkdir -p "$work"

[ -x "$PM" ] || { echo "no parkmap binary at $PM (build first, or set PM_BINARY)" >&2; exit 2; }
command -v chromium >/dev/null || [ -n "${PM_CHROMIUM:-}" ] ||
  { echo "chromium missing (bash scripts/setup.sh installs it)" >&2; exit 2; }

src="$work/parcels_$n.geojson"
db="$work/report_$n.db"
html="$work/report_$n.html"
[ -s "$src" ] || python3 "$here/gen_parcels.py" "$n" "$src"
rm -f "$db" "$html"
"$PM" import "$src" --db "$db" --t-srs EPSG:4550 --quiet ||
  { echo "import failed" >&2; exit 1; }
t0=$(date +%s.%N)
"$PM" report --db "$db" -o "$html"
status=$?
t1=$(date +%s.%N)
# report's exit status is 0, or 1 when the check it runs finds problems;
# either way the page must exist.
if [ "$status" -gt 1 ] || [ ! -s "$html" ]; then
  echo "parkmap report failed (exit $status)" >&2
  exit 1
fi
bytes=$(stat -c %s "$html")
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.2f", b / 1048576}')
echo "parcels:        $n"
echo "report:         $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s to write (exit $status)"
echo "file size:      $mb MB (target < $max_mb MB)"

if [ "${BENCH_AGAINST:-1}" != 0 ]; then
  db_b="$work/report_${n}_b.db"
  html_b="$work/report_${n}_against.html"
  rm -f "$db_b" "$html_b"
  "$PM" import "$src" --db "$db_b" --t-srs EPSG:4550 --quiet ||
    { echo "import of the --against copy failed" >&2; exit 1; }
  t0=$(date +%s.%N)
  "$PM" report --db "$db" -o "$html_b" --against "$db_b" --quiet
  status_b=$?
  t1=$(date +%s.%N)
  if [ "$status_b" -gt 1 ] || [ ! -s "$html_b" ]; then
    echo "parkmap report --against failed (exit $status_b)" >&2
    exit 1
  fi
  echo "report --against: $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s to write (the same parcels twice; exit $status_b)"
fi

load_out=$(python3 "$here/report_load.py" "$html" "$runs" 60)
load_status=$?
echo "$load_out" | sed 's/^/  /'
median=$(echo "$load_out" | awk '/^median_ms/ {print $2}')
errors=$(echo "$load_out" | awk '/^median_ms/ {print $4}')
requests=$(echo "$load_out" | awk '/^median_ms/ {print $6}')

fail=0
if [ "$load_status" -ne 0 ] || [ -z "$median" ]; then
  echo "load:           FAILED (the page did not get ready)"
  fail=1
else
  echo "load:           $(awk -v m="$median" 'BEGIN {printf "%.2f", m / 1000}') s median of $runs, navigation to parkmap.ready (target < $max_s s)"
  awk -v m="$median" -v t="$max_s" 'BEGIN {exit !(m >= t * 1000)}' && { echo "MISSED: load time" ; fail=1; }
  [ "$errors" = 0 ] || { echo "FAILED: $errors console error(s)"; fail=1; }
  [ "$requests" = 0 ] || { echo "FAILED: $requests request(s) beyond the page"; fail=1; }
fi
awk -v b="$bytes" -v t="$max_mb" 'BEGIN {exit !(b >= t * 1048576)}' && { echo "MISSED: file size"; fail=1; }

# The peer: the same parcels as GeoJSON in a minimal Leaflet page.
if [ -s "$leaflet/leaflet.js" ] && [ -s "$leaflet/leaflet.css" ]; then
  peer="$work/leaflet_$n.html"
  python3 - "$leaflet" "$src" "$peer" <<'PY'
import sys
lf, src, out = sys.argv[1:4]
js = open(lf + "/leaflet.js", encoding="utf-8").read()
css = open(lf + "/leaflet.css", encoding="utf-8").read()
data = open(src, encoding="utf-8").read()
with open(out, "w", encoding="utf-8") as f:
    f.write("<!DOCTYPE html><html><head><meta charset='utf-8'><style>%s\n"
            "body{margin:0} #map{width:1280px;height:900px}</style><script>%s</script></head>"
            "<body><div id='map'></div><script>var data = %s;\n"
            "var map = L.map('map', {preferCanvas: true, zoomControl: false, attributionControl: false});\n"
            "var layer = L.geoJSON(data, {style: {weight: 1}}).addTo(map);\n"
            "map.fitBounds(layer.getBounds()); window.parkmap = {ready: true};</script></body></html>"
            % (css, js.replace("</script", "<\\/script"), data))
PY
  peer_out=$(python3 "$here/report_load.py" "$peer" "$runs" 60)
  peer_median=$(echo "$peer_out" | awk '/^median_ms/ {print $2}')
  peer_mb=$(awk -v b="$(stat -c %s "$peer")" 'BEGIN {printf "%.2f", b / 1048576}')
  if [ -n "$peer_median" ] && [ -n "$median" ]; then
    echo "peer (Leaflet + plain GeoJSON): $peer_mb MB, $(awk -v m="$peer_median" 'BEGIN {printf "%.2f", m / 1000}') s median load"
    echo "ratio report/peer: size $(awk -v a="$bytes" -v b="$(stat -c %s "$peer")" 'BEGIN {printf "%.2f", a / b}'), load $(awk -v a="$median" -v b="$peer_median" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
  else
    echo "peer (Leaflet + plain GeoJSON): did not load"; echo "$peer_out" | tail -3
  fi
else
  echo "note: $leaflet/leaflet.js missing (Debian package libjs-leaflet): Leaflet peer skipped"
fi
[ "$fail" -eq 0 ] && echo "report bench: targets met" || echo "report bench: a target missed"
exit "$fail"
