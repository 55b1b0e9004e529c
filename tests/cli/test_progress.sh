#!/usr/bin/env bash
# Progress: a bar with counts and rate on a terminal, nothing otherwise.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "skip: util-linux script missing" >&2; exit 77; }
python3 "$SRC/tests/bench/gen_parcels.py" 3000 "$TMP/p.geojson"

# Not a terminal: stderr stays empty even when asked to draw at once.
PARKMAP_PROGRESS_AFTER=0 "$PM" import "$TMP/p.geojson" --db "$TMP/a.db" 2>"$TMP/err" >/dev/null
[ ! -s "$TMP/err" ] || fail "no progress when stderr is not a terminal: $(head -c 200 "$TMP/err")"

# A terminal (script gives the command a pty): the bar shows counts and rate.
PARKMAP_PROGRESS_AFTER=0 script -qec "'$PM' import '$TMP/p.geojson' --db '$TMP/b.db'" \
  /dev/null >"$TMP/tty" 2>&1
grep -aq "import: 2048/3000 features" "$TMP/tty" || fail "bar shows counts"
grep -aqE "[0-9.]+k/s" "$TMP/tty" || fail "bar shows the rate"
grep -aq "imported 3000 features" "$TMP/tty" || fail "import still reports"

# --quiet silences it on a terminal too.
PARKMAP_PROGRESS_AFTER=0 script -qec "'$PM' import '$TMP/p.geojson' --db '$TMP/c.db' --quiet" \
  /dev/null >"$TMP/tty2" 2>&1
grep -aq "features  " "$TMP/tty2" && fail "--quiet draws no bar"
PARKMAP_PROGRESS_AFTER=0 script -qec "'$PM' check --db '$TMP/b.db' --target-km2 1" \
  /dev/null >"$TMP/tty3" 2>&1
grep -aq "qa: overlaps" "$TMP/tty3" || fail "check reports its phases"
finish
