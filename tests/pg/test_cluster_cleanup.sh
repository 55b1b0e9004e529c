#!/usr/bin/env bash
# scripts/pg_cluster.sh `with` must stop the server and remove its
# directory however the command ends (issue 14 item 4: CI stops the cluster
# also when a test fails). Three ways to end: success, a failing command
# (its status is passed on), SIGTERM to the wrapper mid-command, and
# SIGKILL to it (ctest's timeout: no trap runs; with's watchdog stops the
# cluster). After each: no postgres process of that cluster and no
# directory left.
# 77 without the PostgreSQL binaries, except under CI=true.
set -u
src=${PM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
  [ "${CI:-}" = "true" ] && { echo "PostgreSQL binaries missing in $pg_bin under CI" >&2; exit 1; }
  echo "PostgreSQL binaries missing in $pg_bin; skipped" >&2
  exit 77
fi
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# gone DIR WHAT [SECONDS]: within SECONDS (default 5), neither the
# directory nor a process with DIR/data is left.
gone() {
  for _ in $(seq 1 $((${3:-5} * 2))); do
    [ ! -e "$1" ] && ! pgrep -f "$1/data" >/dev/null && return 0
    sleep 0.5
  done
  [ -e "$1" ] && fail "$2: $1 still exists"
  pgrep -af "$1/data" >&2 && fail "$2: a postgres process of $1 is still running"
}

base=$(mktemp -d /tmp/pm_pgc_XXXXXX) || exit 1
trap 'rm -rf "$base"' EXIT
chmod 755 "$base"
export PG_BIN_DIR=$pg_bin

# The server must really have run: the command asks it something.
for case in ok fails; do
  dir="$base/$case"
  want=0 cmd="exit 0"
  [ "$case" = fails ] && want=3 cmd="exit 3"
  bash "$src/scripts/pg_cluster.sh" with "$dir" -- \
    bash -c "\"\$PG_BIN_DIR/psql\" -X -q -At -d \"\$PM_PG_URL\" -c 'SELECT 1' >'$base/probe_$case' 2>&1; $cmd" \
    2>"$base/log_$case"
  st=$?
  [ "$st" -eq "$want" ] || fail "$case: exit status $st, expected $want ($(tail -1 "$base/log_$case"))"
  [ "$(cat "$base/probe_$case" 2>/dev/null)" = 1 ] || fail "$case: the server did not answer inside the command"
  gone "$dir" "$case"
done

# SIGTERM to the wrapper while the command runs (as a CI job cancelled).
# bash runs the EXIT trap once the running command returns (here: sleep
# ends), so the stop comes after it; the point is that it comes.
dir="$base/term"
bash "$src/scripts/pg_cluster.sh" with "$dir" -- sleep 8 2>"$base/log_term" &
pid=$!
for _ in $(seq 1 60); do
  pgrep -f "$dir/data" >/dev/null && break
  sleep 0.5
done
pgrep -f "$dir/data" >/dev/null || fail "term: the server never started ($(tail -1 "$base/log_term"))"
kill -TERM "$pid"
wait "$pid"
st=$?
[ "$st" -ne 0 ] || fail "term: exit status 0 after SIGTERM"
gone "$dir" "term"

# SIGKILL to the wrapper while the command runs (ctest's timeout kills
# with SIGKILL): no trap runs, and the server, in a session of its own
# (pg_ctl), would outlive it; the watchdog `with` started must stop it and
# remove the directory. The command itself is orphaned: ended here, by its
# pid.
dir="$base/kill"
bash "$src/scripts/pg_cluster.sh" with "$dir" -- sleep 60 2>"$base/log_kill" &
pid=$!
for _ in $(seq 1 60); do
  pgrep -f "$dir/data" >/dev/null && [ -f "$dir/.initialized" ] && break
  sleep 0.5
done
pgrep -f "$dir/data" >/dev/null || fail "kill: the server never started ($(tail -1 "$base/log_kill"))"
cmd_pid=$(pgrep -P "$pid" -x sleep || true)
kill -KILL "$pid"
wait "$pid" 2>/dev/null
[ -n "$cmd_pid" ] && kill "$cmd_pid" 2>/dev/null
gone "$dir" "kill (SIGKILL)" 15

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed" >&2; exit 1; }
echo "all checks passed"
