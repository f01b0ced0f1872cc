#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temp directory as the
# user postgres, listening only on 127.0.0.1 at a free port, trust auth for loopback. Nothing
# outside the directory is touched, so a stopped cluster is gone once the directory is removed.
#
#   scripts/test-postgres.sh start DIR   prints the superuser connection string on stdout
#   scripts/test-postgres.sh stop DIR    stops the cluster and removes DIR
#
# Tests run with fsync and synchronous commit off (a thrown-away cluster gains nothing from
# durability); BULWARK_PG_DURABLE=1 keeps PostgreSQL's defaults, for benchmarks whose commits
# should cost what they cost in production.
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    echo "PostgreSQL server binaries are missing: install the postgresql package (apt-get install postgresql)." >&2
    return 1
  fi
  echo "$dir"
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

start() {
  local dir=$1 bin port
  bin=$(pg_bin)
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  chmod 700 "$dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  port=$(free_port)
  local speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${BULWARK_PG_DURABLE:-0}" = "1" ]; then
    speed=""
  fi
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir $speed -c max_connections=300" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  echo "$port" >"$dir/port"
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

stop() {
  local dir=$1 bin
  bin=$(pg_bin)
  if [ -d "$dir/data" ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:?usage: $0 start DIR}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
