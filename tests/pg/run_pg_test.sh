#!/usr/bin/env bash
# Run a PostGIS test program against its own throwaway server:
#   bash tests/pg/run_pg_test.sh PROGRAM [ARGS...]
# scripts/pg_cluster.sh starts a cluster in a fresh directory under /tmp,
# exports its coordinates (PM_PG_URL, ...), runs PROGRAM and stops the
# cluster however PROGRAM ends; the exit status is PROGRAM's.
# Without the PostgreSQL binaries: 77 (skip) on a developer's machine, a
# failure under CI=true (CI installs them: scripts/setup.sh).
set -u
src=${PM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "run_pg_test: PostgreSQL binaries missing in $pg_bin under CI" >&2
    exit 1
  fi
  echo "run_pg_test: PostgreSQL binaries missing in $pg_bin; skipped" >&2
  exit 77
fi
# Short (the socket path has a 107-byte limit) and unique per run.
dir=$(mktemp -d /tmp/pm_pg_XXXXXX) || exit 1
exec bash "$src/scripts/pg_cluster.sh" with "$dir" -- "$@"
