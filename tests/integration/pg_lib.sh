# A throw-away PostgreSQL 15 server for an integration test (source after lib.sh): initdb in
# $WORK/pg, a free loopback port, trust authentication for user `seer`, stopped on exit.
# initdb refuses root, so under root the server runs as the `postgres` system user.
PG_BIN=${SEERFLOW_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=""
PG_DIR=""

pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_pg() {
  if [[ -n "$PG_DIR" && -f "$PG_DIR/data/postmaster.pid" ]]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop > /dev/null 2>&1 || true
  fi
}

# start_pg: exits 77 (skipped) when the server binaries are not installed.
start_pg() {
  if [[ ! -x "$PG_BIN/initdb" || ! -x "$PG_BIN/pg_ctl" ]]; then
    echo "SKIPPED: $PG_BIN/initdb not found (install postgresql: deploy/install-deps.sh)" >&2
    exit 77
  fi
  command -v psql > /dev/null || { echo "SKIPPED: no psql client" >&2; exit 77; }
  PG_DIR="$WORK/pg"
  mkdir -p "$PG_DIR"
  chmod 755 "$WORK"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PG_DIR"
  trap 'stop_pg; cleanup' EXIT
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U seer -E UTF8 --no-locale \
    > "$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; fail "initdb failed"; }
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off" start > /dev/null \
    || { cat "$PG_DIR/server.log" >&2; fail "pg_ctl start failed"; }
  psql -X -q "postgresql://seer@127.0.0.1:$PG_PORT/postgres" -c "CREATE DATABASE seerflow" \
    || fail "createdb failed"
}

# pg SQL: one query against the seerflow database, unaligned, no header.
pg() { psql -X -qAt "postgresql://seer@127.0.0.1:$PG_PORT/seerflow" -c "$1"; }
