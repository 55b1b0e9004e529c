#!/usr/bin/env bash
# Two roles on one database (docs/postgis.md, "Roles and the derived
# tables"): the owner `pmtest` imports the parks and writes the derived
# tables (check: qa_issues, adjacency; clean --to); `pmpw` may read them
# all but owns none. PostgreSQL lets only a table's owner drop it, so pmpw's
# check cannot replace them: exit 4 and one line naming the table, its
# owner and the role connected (not the server's raw "must be owner of
# table"), the tables left as they were; --no-tables reads and writes
# nothing, and runs. A layer of clean --to gets the same line with its own
# advice. The password never appears in the output.
#
# Run through tests/pg/run_pg_test.sh (a throwaway cluster, roles pmtest
# and pmpw: scripts/pg_cluster.sh).
if [ -z "${PM_PG_URL:-}" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  exec bash "$here/run_pg_test.sh" bash "$here/$(basename "$0")"
fi
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

PSQL="${PG_BIN:-/usr/lib/postgresql/15/bin}/psql"
psql_q() { "$PSQL" -X -At -v ON_ERROR_STOP=1 "$PM_PG_URL" -c "$1"; }
PW=${PM_PG_PASSWORD:-}
[ -n "$PW" ] || { echo "no PM_PG_PASSWORD from pg_cluster.sh" >&2; exit 1; }
OWNER=$PGUSER
ROLE=$PM_PG_PW_USER
AS_OWNER=$PM_PG_URL
AS_ROLE="postgresql://$ROLE@/parkmap?host=$PM_PG_SOCKET&port=$PM_PG_PORT"
export PGPASSWORD=$PW
ALL="$TMP/all_output"
: >"$ALL"
run() {
  out="$TMP/stdout" err="$TMP/stderr"
  "$PM" "$@" >"$out" 2>"$err"
  status=$?
  cat "$out" "$err" >>"$ALL"
}
# check exits 1 when the parks miss the target; either way it ran.
expect_ran() { [ "$status" -le 1 ] || fail "$1: exit status $status, expected 0 or 1"; }
owner_of() { psql_q "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = '$1'"; }

# ---- the owner writes the derived tables --------------------------------------
run import "$SRC/geodata/pudong_parks.geojson" --db "$AS_OWNER" --quiet
expect_status 0 "import as $OWNER"
run check --db "$AS_OWNER" --quiet
expect_ran "check as $OWNER"
run clean --db "$AS_OWNER" --to parks_clean --quiet
expect_ran "clean --to as $OWNER"
for t in qa_issues adjacency parks_clean; do
  [ "$(owner_of "$t")" = "$OWNER" ] || fail "$t is not owned by $OWNER ($(owner_of "$t"))"
done
qa_rows=$(psql_q "SELECT count(*) FROM qa_issues")
adj_rows=$(psql_q "SELECT count(*) FROM adjacency")
# pmpw may read every table, create its own (pg_cluster.sh grants the
# schema) and record them in parkmap_meta, but owns none of these.
psql_q "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $ROLE" >/dev/null
psql_q "GRANT INSERT, UPDATE, DELETE ON parkmap_meta TO $ROLE" >/dev/null

# ---- the other role --------------------------------------------------------------
run info --db "$AS_ROLE"
expect_status 0 "info as $ROLE (it may read the database)"
run area --db "$AS_ROLE" --json
expect_status 0 "area as $ROLE"

run check --db "$AS_ROLE" --quiet
expect_status 4 "check as $ROLE over $OWNER's derived tables"
expect_one_line_err "check as $ROLE"
grep -qE "^parkmap: cannot replace table (qa_issues|adjacency): postgresql://$ROLE@[^ ]*/parkmap \(owned by role $OWNER, connected as $ROLE; run as the owner, or use --no-tables\)$" "$err" ||
  fail "check as $ROLE: not the line naming the table, its owner and the role"
grep -q "must be owner" "$err" && fail "check as $ROLE: the server's raw message"
[ "$(psql_q "SELECT count(*) FROM qa_issues")" = "$qa_rows" ] || fail "qa_issues changed by the failed check"
[ "$(psql_q "SELECT count(*) FROM adjacency")" = "$adj_rows" ] || fail "adjacency changed by the failed check"
for t in qa_issues adjacency; do
  [ "$(owner_of "$t")" = "$OWNER" ] || fail "$t changed owner ($(owner_of "$t"))"
done

run check --db "$AS_ROLE" --no-tables --quiet
expect_ran "check --no-tables as $ROLE"
[ ! -s "$err" ] || fail "check --no-tables as $ROLE: stderr not empty"
expect_out "check: " "check --no-tables as $ROLE prints its verdict"

run adjacency --db "$AS_ROLE" --quiet
expect_status 4 "adjacency as $ROLE over $OWNER's table"
expect_err "cannot replace table adjacency:" "adjacency as $ROLE"
expect_err "owned by role $OWNER, connected as $ROLE" "adjacency as $ROLE"

# A table of its own (clusters does not exist yet): pmpw writes it.
run layout --db "$AS_ROLE" --quiet
expect_status 0 "layout as $ROLE (a derived table it creates)"
[ "$(owner_of clusters)" = "$ROLE" ] || fail "clusters is not owned by $ROLE ($(owner_of clusters))"

# A layer clean --to wrote: the same line, its own advice.
run clean --db "$AS_ROLE" --to parks_clean --overwrite --quiet
expect_status 4 "clean --to --overwrite as $ROLE over $OWNER's layer"
expect_one_line_err "clean --to as $ROLE"
expect_err "cannot replace table parks_clean:" "clean --to as $ROLE"
expect_err "(owned by role $OWNER, connected as $ROLE; run as the owner, or write another layer)" "clean --to as $ROLE"

# The owner (here also the superuser) replaces them as before.
run check --db "$AS_OWNER" --quiet
expect_ran "check as $OWNER again"

if grep -qF -- "$PW" "$ALL"; then
  fail "the password appears in parkmap's output"
fi
finish
