#!/usr/bin/env bash
# A throwaway PostgreSQL for the engine's PostgreSQL tests (clustered Quartz store, run store on EF Core).
#
#   eval "$(bash .ci/postgres.sh start)"   installs Debian's postgresql when missing, starts a server on
#                                          127.0.0.1:$PORT with a temporary data folder (or reuses whatever
#                                          already listens there) and prints the export line for the tests:
#                                            export CELLSEGFLOWS_TEST_PG='Host=127.0.0.1;Port=55432;Username=postgres'
#   bash .ci/postgres.sh env               prints that export line again
#   bash .ci/postgres.sh stop              stops the server this script started and deletes its data folder
#
# Only the export line goes to stdout; progress goes to stderr. Safe to run again: a second start reuses
# the running server, a stop without a server does nothing. CELLSEGFLOWS_PG_PORT changes the port.
# The line is also written to $STATE.env so another shell can `source` it.
set -euo pipefail

PORT="${CELLSEGFLOWS_PG_PORT:-55432}"
HOST=127.0.0.1
STATE="${TMPDIR:-/tmp}/cellsegflows-pg-${PORT}"   # $STATE.dir holds the data folder of the server we started
CONNECTION="Host=${HOST};Port=${PORT};Username=postgres"

log() { echo "postgres.sh: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Runs a server binary as the postgres user (initdb and postgres refuse to run as root).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

listening() {
  (exec 3<>"/dev/tcp/${HOST}/${PORT}") 2>/dev/null
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

install_postgres() {
  if pg_bin >/dev/null; then
    return
  fi

  log "installing Debian package postgresql"
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends postgresql >&2
  # The package starts a cluster of its own on 5432; the tests do not use it.
}

print_env() {
  local line="export CELLSEGFLOWS_TEST_PG='${CONNECTION}'"
  echo "$line" >"${STATE}.env"
  echo "$line"
}

start() {
  if listening; then
    log "something already listens on ${HOST}:${PORT}; using it"
    print_env
    return
  fi

  install_postgres
  local bin data
  bin=$(pg_bin)
  data=$(mktemp -d "${TMPDIR:-/tmp}/cellsegflows-pg-data.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data"; fi
  echo "$data" >"${STATE}.dir"
  log "starting $("$bin/postgres" --version) on ${HOST}:${PORT}, data in $data"
  as_postgres "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
  # Test databases are made and dropped per test; durability is not wanted here, speed is.
  as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p ${PORT} -k /tmp -c listen_addresses=${HOST} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$data/server.log" >&2; exit 1; }
  print_env
}

stop() {
  if [ ! -f "${STATE}.dir" ]; then
    log "no server started by this script on port ${PORT}"
    return
  fi

  local bin data
  data=$(cat "${STATE}.dir")
  bin=$(pg_bin)
  if [ -d "$data" ]; then
    as_postgres "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$data"
  fi

  rm -f "${STATE}.dir" "${STATE}.env"
  log "stopped the server on port ${PORT}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *)
    echo "usage: $0 start|stop|env   (start prints an export line: eval \"\$(bash $0 start)\")" >&2
    exit 2
    ;;
esac
