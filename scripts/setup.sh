#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine:
#   bash scripts/setup.sh          install what is missing, build, run the main job
#   bash scripts/setup.sh test     install what is missing, build, run every test
#   bash scripts/setup.sh sanitize the whole test suite under ASan + UBSan (build-asan)
#   bash scripts/setup.sh fuzz     libFuzzer targets, FUZZ_SECONDS (default 60) each (build-fuzz)
# Environment: BUILD_DIR (default build), CI=true turns warnings into errors.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}
build_dir=${BUILD_DIR:-build}

# Build and runtime dependencies, plus the CJK font the maps need and the
# tools the tests use to look at what we make (rsvg-convert, pdftoppm,
# ogrinfo, Planimeter, and Debian's chromium, which tests/browser/ drives
# headless to open the HTML report), and GeographicLib for geodata/generate.py.
# PostgreSQL 15 and PostGIS 3 are the server the PostGIS store's tests start
# and stop themselves (scripts/pg_cluster.sh; its binaries live in
# /usr/lib/postgresql/15/bin, not on PATH); libpq-dev is the client library.
packages=(
  build-essential cmake pkg-config
  libgdal-dev gdal-bin libproj-dev proj-bin
  libsqlite3-dev libspatialite-dev libgeos-dev libsqlite3-mod-spatialite spatialite-bin
  libcairo2-dev libpango1.0-dev libjson-c-dev libcmocka-dev
  fonts-noto-cjk fonts-dejavu-core
  librsvg2-bin poppler-utils geographiclib-tools python3 python3-geographiclib
  sqlite3 valgrind clang libclang-rt-14-dev clang-format-14
  chromium
  postgresql-15 postgresql-15-postgis-3 libpq-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
case "$mode" in
  sanitize)
    build_dir=${BUILD_DIR:-build-asan}
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPM_WERROR=$werror \
      -DPM_SANITIZE=ON >/dev/null
    ;;
  fuzz)
    # clang for libFuzzer; its warnings are not gcc's, so not -Werror here.
    build_dir=${BUILD_DIR:-build-fuzz}
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
      -DPM_FUZZ=ON -DPM_BUILD_TESTS=OFF >/dev/null
    ;;
  *)
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPM_WERROR=$werror >/dev/null
    ;;
esac
cmake --build "$build_dir" -j"$(nproc)"

case "$mode" in
  run)
    "$build_dir/parkmap" build geodata/pudong_parks.geojson \
      --outline geodata/pudong_outline.geojson -o out
    ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
    ;;
  sanitize)
    # Leaks are checked too; the only suppressions are third-party caches
    # (tests/sanitizers/lsan.supp says why each one is not ours).
    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:strict_string_checks=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" --timeout 1800
    ;;
  fuzz)
    bash tests/fuzz/run.sh "$build_dir" "${FUZZ_SECONDS:-60}"
    ;;
  *)
    echo "usage: bash scripts/setup.sh [run|test|sanitize|fuzz]" >&2
    exit 2
    ;;
esac
