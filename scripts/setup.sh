#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine:
#   bash scripts/setup.sh          install what is missing, build, run the main job
#   bash scripts/setup.sh test     install what is missing, build, run every test
# Environment: BUILD_DIR (default build), CI=true turns warnings into errors.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}
build_dir=${BUILD_DIR:-build}

# Build and runtime dependencies, plus the CJK font the maps need and the
# tools the tests use to look at what we make (rsvg-convert, pdftoppm,
# ogrinfo, Planimeter).
packages=(
  build-essential cmake pkg-config
  libgdal-dev gdal-bin libproj-dev proj-bin
  libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite spatialite-bin
  libcairo2-dev libpango1.0-dev libjson-c-dev libcmocka-dev
  fonts-noto-cjk fonts-dejavu-core
  librsvg2-bin poppler-utils geographiclib-tools python3
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
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPM_WERROR=$werror >/dev/null
cmake --build "$build_dir" -j"$(nproc)"

case "$mode" in
  run)
    "$build_dir/parkmap" build geodata/pudong_parks.geojson \
      --outline geodata/pudong_outline.geojson -o out
    ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
    ;;
  *)
    echo "usage: bash scripts/setup.sh [run|test]" >&2
    exit 2
    ;;
esac
