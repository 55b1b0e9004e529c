#!/usr/bin/env bash
# Bounded fuzz runs: tests/fuzz/run.sh BUILD_DIR SECONDS [WORKDIR]
# BUILD_DIR was configured with -DCMAKE_C_COMPILER=clang -DPM_FUZZ=ON. Seeds:
# the test fixtures (good and bad) for import, styles/ and the style tests'
# corpus for the style parser; tests/fuzz/regress/<target>/ holds every input
# that ever crashed a target, replayed first. Fails on any crash, leak or
# sanitizer report, leaving the reproducer in WORKDIR/artifacts.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR SECONDS [WORKDIR]}
secs=${2:-60}
work=${3:-$(mktemp -d /tmp/pm_fuzz_XXXXXX)}
mkdir -p "$work/artifacts"
declare -A seeds=(
  [fuzz_import]="$src/tests/fixtures $src/tests/fixtures/bad $src/geodata"
  [fuzz_style]="$src/styles"
)
for t in fuzz_import fuzz_style; do
  bin="$build/tests/fuzz/$t"
  corpus="$work/corpus_$t"
  mkdir -p "$corpus"
  for d in ${seeds[$t]}; do
    find "$d" -maxdepth 1 -type f \( -name '*.geojson' -o -name '*.json' \) -size -64k \
      -exec cp {} "$corpus/" \;
  done
  regress="$src/tests/fuzz/regress/$t"
  if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
    echo "fuzz: $t: replaying $(ls "$regress" | wc -l) regression input(s)"
    "$bin" -runs=0 "$regress"/*
  fi
  echo "fuzz: $t for ${secs}s"
  "$bin" -max_total_time="$secs" -timeout=30 -rss_limit_mb=3072 -max_len=65536 \
    -artifact_prefix="$work/artifacts/$t-" -print_final_stats=1 "$corpus" 2>"$work/$t.log" ||
    { tail -60 "$work/$t.log" >&2; echo "fuzz: $t FAILED; reproducer in $work/artifacts" >&2; exit 1; }
  grep -E '^stat::number_of_executed_units|Done [0-9]+ runs' "$work/$t.log" | sed "s/^/fuzz: $t: /"
done
