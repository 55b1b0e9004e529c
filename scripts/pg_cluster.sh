#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for parkmap's tests (issue 14).
#
#   bash scripts/pg_cluster.sh start DIR          initdb into DIR/data, start it
#   bash scripts/pg_cluster.sh env DIR            print export lines for it
#   bash scripts/pg_cluster.sh stop DIR           stop it and remove DIR
#   bash scripts/pg_cluster.sh with DIR -- CMD... start, run CMD with the env,
#                                                 stop (also when CMD fails);
#                                                 exits with CMD's status
#   (bash scripts/pg_cluster.sh watch DIR PID     with's watchdog: once PID is
#                                                 gone, stop the cluster and
#                                                 remove DIR; internal)
#
# The cluster listens on a Unix socket in DIR/socket and on 127.0.0.1 at a
# free port. Databases: `parkmap` (with the postgis extension) and
# `nopostgis` (without). Roles: the owner `pmtest` (trust, Unix socket only)
# and `pmpw`, which needs its password (scram-sha-256, socket and TCP), so
# tests can try a wrong one. initdb refuses root: as root, the cluster runs
# as the system user `pmtest` (created when missing) through runuser.
#
# Safety: stop removes DIR only when start made it (DIR/.pm_pg_cluster);
# start refuses a non-empty DIR that is not one of ours. Both are idempotent.
# `with` stops the cluster from its EXIT trap; a SIGKILL (ctest's timeout)
# runs no trap, and the server (pg_ctl puts it in a session of its own)
# would outlive the test: so `with` also starts a watchdog in a new session
# (setsid: a kill of the test's process group does not reach it) that
# waits for `with`'s shell to be gone and then does the stop (-m immediate).
# Environment: PG_BIN (default: PostgreSQL 15's, /usr/lib/postgresql/15/bin).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
OS_USER=pmtest
PW_ROLE=pmpw
MARK=.pm_pg_cluster
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

die() {
  echo "pg_cluster: $*" >&2
  exit 1
}

usage() {
  echo "usage: pg_cluster.sh start|stop|env DIR | with DIR -- CMD..." >&2
  exit 2
}

need_bin() {
  [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/psql" ] ||
    die "PostgreSQL binaries not found in $PG_BIN (install postgresql-15 postgresql-15-postgis-3, or set PG_BIN)"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the cluster's owner.
as_owner() {
  if is_root; then
    runuser -u "$OS_USER" -- "$@"
  else
    "$@"
  fi
}

owner_name() {
  if is_root; then echo "$OS_USER"; else id -un; fi
}

abs_dir() {
  local d=$1
  [ -n "$d" ] || usage
  case "$d" in
    /*) ;;
    *) d="$PWD/$d" ;;
  esac
  # No trailing slash, no root, no '..' tricks: stop runs rm -rf on it.
  d=${d%/}
  [ -n "$d" ] && [ "$d" != "/" ] || die "refusing directory '$1'"
  case "$d" in *"/../"* | *"/..") die "refusing directory with '..': $1" ;; esac
  echo "$d"
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port found"
}

running() {
  local dir=$1
  [ -f "$dir/data/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

psql_owner() {
  local dir=$1 db=$2
  shift 2
  as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$(cat "$dir/port")" \
    -U "$(owner_name)" -d "$db" "$@"
}

cmd_start() {
  local dir
  dir=$(abs_dir "$1")
  need_bin
  if [ -e "$dir" ] && [ ! -f "$dir/$MARK" ] && [ -n "$(ls -A "$dir")" ]; then
    die "$dir exists and is not a cluster made by pg_cluster.sh; refusing to use it"
  fi
  if is_root && ! id "$OS_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$OS_USER" ||
      die "cannot create the system user $OS_USER"
  fi
  mkdir -p "$dir"
  touch "$dir/$MARK"
  if is_root; then
    chown -R "$OS_USER" "$dir"
    runuser -u "$OS_USER" -- test -w "$dir" ||
      die "$OS_USER cannot write $dir (a parent directory is not searchable by it); use a directory under /tmp"
  fi
  chmod 700 "$dir"
  if running "$dir"; then
    echo "pg_cluster: already running in $dir" >&2
    return 0
  fi
  local sock="$dir/socket" port
  # The socket's path (with /.s.PGSQL.NNNNN) must fit sun_path (107 bytes).
  [ ${#sock} -le 80 ] || die "socket path too long (${#sock} > 80 bytes): $sock; use a shorter DIR"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    rm -rf "$dir/data"
    as_owner mkdir -p "$sock"
    port=$(free_port)
    echo "$port" >"$dir/port"
    # The password only guards a throwaway cluster; it is random so that no
    # test can pass by knowing it from the source.
    head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password"
    if is_root; then chown "$OS_USER" "$dir/port" "$dir/password"; fi
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U "$(owner_name)" -E UTF8 --no-locale \
      --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
      die "initdb failed; see $dir/initdb.log"
    # The owner is trusted on the socket only; the password role always
    # needs its password, on the socket and over TCP.
    as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<EOF
# TYPE  DATABASE  USER         ADDRESS       METHOD
local   all       $(owner_name)                  trust
local   all       all                        scram-sha-256
host    all       all          127.0.0.1/32  scram-sha-256
EOF
    as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
# pg_cluster.sh: a throwaway test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
password_encryption = 'scram-sha-256'
max_connections = 40
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi
  port=$(cat "$dir/port")
  as_owner "$PG_BIN/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/server.log" >/dev/null ||
    die "server did not start; see $dir/server.log"
  if [ ! -f "$dir/.initialized" ]; then
    local pw
    pw=$(cat "$dir/password")
    psql_owner "$dir" postgres -c "CREATE DATABASE parkmap" -c "CREATE DATABASE nopostgis" \
      -c "CREATE ROLE $PW_ROLE LOGIN PASSWORD '$pw'" \
      -c "GRANT ALL ON DATABASE parkmap TO $PW_ROLE" \
      -c "GRANT ALL ON DATABASE nopostgis TO $PW_ROLE" >/dev/null
    psql_owner "$dir" parkmap -c "CREATE EXTENSION postgis" \
      -c "GRANT ALL ON SCHEMA public TO $PW_ROLE" >/dev/null
    psql_owner "$dir" nopostgis -c "GRANT ALL ON SCHEMA public TO $PW_ROLE" >/dev/null
    touch "$dir/.initialized"
  fi
  echo "pg_cluster: running in $dir (socket $sock, 127.0.0.1:$port)" >&2
}

cmd_env() {
  local dir
  dir=$(abs_dir "$1")
  [ -f "$dir/port" ] || die "no cluster in $dir (run start first)"
  local port owner
  port=$(cat "$dir/port")
  owner=$(owner_name)
  cat <<EOF
export PGHOST='$dir/socket'
export PGPORT='$port'
export PGUSER='$owner'
export PGDATABASE='parkmap'
export PM_PG_URL='postgresql://$owner@/parkmap?host=$dir/socket&port=$port'
export PM_PG_SOCKET='$dir/socket'
export PM_PG_PORT='$port'
export PM_PG_PW_USER='$PW_ROLE'
export PM_PG_PASSWORD='$(cat "$dir/password")'
EOF
}

cmd_stop() {
  local dir
  dir=$(abs_dir "$1")
  [ -e "$dir" ] || return 0
  [ -f "$dir/$MARK" ] || die "$dir is not a cluster made by pg_cluster.sh; leaving it alone"
  if [ -f "$dir/data/PG_VERSION" ] && running "$dir"; then
    as_owner "$PG_BIN/pg_ctl" stop -w -t 60 -m fast -D "$dir/data" >/dev/null ||
      as_owner "$PG_BIN/pg_ctl" stop -w -m immediate -D "$dir/data" >/dev/null || true
  fi
  rm -rf "$dir"
}

# The start time of process PID (field 22 of /proc/PID/stat, after the
# parenthesised name, which may hold spaces), or "" when it is gone; so that
# a PID the kernel reuses is not taken for the one watched.
proc_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  # shellcheck disable=SC2086 # split on purpose: the fields
  set -- $stat
  echo "${20:-}"
}

alive() {
  local pid=$1 start=$2
  if [ -d /proc/self ]; then
    [ -n "$start" ] && [ "$(proc_start "$pid")" = "$start" ]
  else
    kill -0 "$pid" 2>/dev/null
  fi
}

cmd_watch() {
  local dir pid=$2 start
  dir=$(abs_dir "$1")
  [[ "$pid" =~ ^[0-9]+$ ]] || usage
  start=$(proc_start "$pid")
  while alive "$pid" "$start"; do
    sleep 0.5
  done
  # with's trap has done it when with ended by itself; not after a SIGKILL.
  [ -f "$dir/$MARK" ] || return 0
  if [ -f "$dir/data/PG_VERSION" ] && running "$dir"; then
    as_owner "$PG_BIN/pg_ctl" stop -w -t 30 -m immediate -D "$dir/data" >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

cmd_with() {
  local dir=$1
  shift
  [ "${1:-}" = "--" ] || usage
  shift
  [ $# -gt 0 ] || usage
  dir=$(abs_dir "$dir")
  # The trap is set before start, so a half-started cluster is stopped too.
  trap 'cmd_stop "$dir" || true' EXIT
  trap 'exit 130' INT TERM
  # Detached, its own session, no descriptor of ours held (ctest waits for
  # the test's output to close).
  if command -v setsid >/dev/null 2>&1; then
    setsid bash "$SELF" watch "$dir" "$$" </dev/null >/dev/null 2>&1 &
  else
    bash "$SELF" watch "$dir" "$$" </dev/null >/dev/null 2>&1 &
  fi
  cmd_start "$dir"
  eval "$(cmd_env "$dir")"
  local status=0
  "$@" || status=$?
  exit "$status"
}

[ $# -ge 2 ] || usage
case "$1" in
  start) cmd_start "$2" ;;
  stop) cmd_stop "$2" ;;
  env) cmd_env "$2" ;;
  watch)
    [ $# -eq 3 ] || usage
    cmd_watch "$2" "$3"
    ;;
  with)
    shift
    cmd_with "$@"
    ;;
  *) usage ;;
esac
