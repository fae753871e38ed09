#!/usr/bin/env bash
# Cluster benchmark: events/s through the real pipeline with traffic sent to one node, for
#   standalone      one `seerflow start` (no cluster module loaded at all)
#   one_node        one node in node mode (middleman + TLS listener, a cluster of one)
#   three_nodes     three `seerflow --node` processes on this machine; n1 takes all the syslog
#                   traffic and forwards the deliveries of ids n2 and n3 own, one message per
#                   node per batch, over mutual TLS
# Each run is bench_e2e_syslog_tcp (generator -> TCP syslog -> ... -> SQLite on n1; events/s is
# counted when every event is stored on n1). Prints one JSON object.
#
#   bench/cluster/cluster_bench.sh [--events N] [--build DIR] [--postgresql]
# On one machine the three nodes share its cores, so three_nodes measures the cost of the
# cluster path (serialisation, TLS, forwarding), not the scale-out across hosts.
#
# --postgresql: the three nodes share one PostgreSQL 15 store (a throw-away server started
# here, as in tests/integration/pg_lib.sh; a fresh database per run), and three_nodes runs
# once per cluster.snapshot_interval in SNAPSHOT_INTERVALS (default "0s 30s 1s": actor
# snapshots off, the default, every second), to show what writing them to the shared store
# costs; events are counted in PostgreSQL.
set -euo pipefail
EVENTS=300000
PG=0
BUILD=$(cd "$(dirname "$0")/../.." && pwd)/build/ci
while [[ $# -gt 0 ]]; do
  case $1 in
    --events) EVENTS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --postgresql) PG=1; shift ;;
    *) echo "usage: $0 [--events N] [--build DIR] [--postgresql]" >&2; exit 2 ;;
  esac
done
BIN=$BUILD/seerflow
E2E=$BUILD/bench/bench_e2e_syslog_tcp
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seerflow-cluster-bench.XXXXXX")
PIDS=()
PG_BIN=${SEERFLOW_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=""
pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_pg() {
  [[ -n "$PG_PORT" ]] && pg_as_owner "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop > /dev/null 2>&1
  return 0
}
trap 'for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; stop_pg; rm -rf "$WORK"' EXIT

pki() {
  mkdir -p "$WORK/pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=bench CA" -keyout "$WORK/pki/ca.key" -out "$WORK/pki/ca.pem" 2> /dev/null
  local n
  for n in n1 n2 n3; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$n" \
      -keyout "$WORK/pki/$n.key" -out "$WORK/pki/$n.csr" 2> /dev/null
    openssl x509 -req -in "$WORK/pki/$n.csr" -CA "$WORK/pki/ca.pem" -CAkey "$WORK/pki/ca.key" \
      -CAcreateserial -days 2 -out "$WORK/pki/$n.pem" 2> /dev/null
  done
}
ports() {
  python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))'
}
cluster_yaml() {  # cluster_yaml NAME PORT SEEDS; CLUSTER_EXTRA: more keys of the section
  printf 'cluster: {enabled: true, node_id: %s, listen: "127.0.0.1:%s", seeds: %s, %stls: {certificate: %s, key: %s, ca_file: %s}}\n' \
    "$1" "$2" "$3" "${CLUSTER_EXTRA:+$CLUSTER_EXTRA, }" "$WORK/pki/$1.pem" "$WORK/pki/$1.key" "$WORK/pki/ca.pem"
}
eps() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(json.dumps({"events_per_s": round(d["events_per_s"]), "lost": d["events_lost"], "peak_rss_mb": round(d["peak_rss_mb"])}))'; }

# run_e2e NAME ARGS...: the e2e benchmark's JSON reduced to events/s (its errors shown on failure).
run_e2e() {
  local name=$1; shift
  if ! "$E2E" --events "$EVENTS" --binary "$BIN" "$@" > "$WORK/$name.json" 2> "$WORK/$name.err"; then
    echo "$name run failed:" >&2
    tail -n 20 "$WORK/$name.err" "$WORK/$name.json" >&2
    exit 1
  fi
  eps < "$WORK/$name.json"
}


pki
read -r P1 P2 P3 <<< "$(ports)"

# received NODE: batches forwarded to it and delivered by its directory; snapshots NODE: the
# actor snapshots its directory sent to the store.
dir_state() {  # dir_state NODE PYEXPR (on the directory's state as `c`, its cluster part)
  local d=$WORK/$1/data port
  port=$(python3 -c 'import json,sys; print(next(e["port"] for e in json.load(open(sys.argv[1]))["endpoints"] if e["protocol"]=="console/http"))' "$d/endpoints.json")
  curl -s --noproxy '*' -H "Authorization: Bearer $(cat "$d/console.token")" \
    "http://127.0.0.1:$port/api/actor?name=directory" |
    python3 -c 'import json,sys; c=json.load(sys.stdin)["state"]["cluster"]; print(eval(sys.argv[1]))' "$2"
}

# three_nodes NAME [YAML...]: n2 and n3 started with the YAML lines, then the e2e run on n1
# (with them too); prints the run's JSON, then what n2 and n3 took part with.
three_nodes() {
  local name=$1 n port; shift
  local extra=("$@")
  for n in n2 n3; do
    port=$P2; [[ $n == n3 ]] && port=$P3
    rm -rf "$WORK/$n"
    mkdir -p "$WORK/$n"
    {
      echo "data_dir: $WORK/$n/data"
      echo "receivers: {syslog: {udp: {enabled: false}, tcp: {bind: 127.0.0.1, port: 0}}}"
      echo "console: {bind: 127.0.0.1, port: 0}"
      cluster_yaml "$n" "$port" "[127.0.0.1:$P1]"
      local y
      for y in "${extra[@]}"; do echo "$y"; done
    } > "$WORK/$n/node.yaml"
    "$BIN" --node --config "$WORK/$n/node.yaml" 2> "$WORK/$n/stderr.log" &
    PIDS+=($!)
  done
  sleep 1
  local args=(--yaml "console: {port: 0}" --yaml "$(cluster_yaml n1 "$P1" "[127.0.0.1:$P2, 127.0.0.1:$P3]")")
  for y in "${extra[@]}"; do args+=(--yaml "$y"); done
  [[ -n "${E2E_PG_URL:-}" ]] && args+=(--pg-url "$E2E_PG_URL")
  local r
  r=$(run_e2e "$name" "${args[@]}")
  local peers="{\"n2_batches_received\": $(dir_state n2 "c['batches_received']"), \"n3_batches_received\": $(dir_state n3 "c['batches_received']"), \"n2_snapshots_written\": $(dir_state n2 "c.get('snapshots_written', 0)"), \"n3_snapshots_written\": $(dir_state n3 "c.get('snapshots_written', 0)")}"
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
  printf '{"run":%s,"peers":%s}' "$r" "$peers"
}

if [[ $PG == 1 ]]; then
  [[ -x "$PG_BIN/initdb" ]] || { echo "no $PG_BIN/initdb (deploy/install-deps.sh)" >&2; exit 1; }
  mkdir -p "$WORK/pg"
  chmod 755 "$WORK"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$WORK/pg"
  pg_as_owner "$PG_BIN/initdb" -D "$WORK/pg/data" -A trust -U seer -E UTF8 --no-locale > "$WORK/pg/initdb.log" 2>&1
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # Durable as a real server is (fsync on): a snapshot write costs what it would in production.
  pg_as_owner "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $WORK/pg" start > /dev/null
  pg_run() {  # pg_run NAME SNAPSHOT_INTERVAL: a three-node run on a fresh database NAME
    psql -X -q "postgresql://seer@127.0.0.1:$PG_PORT/postgres" -c "CREATE DATABASE $1" > /dev/null
    E2E_PG_URL="postgresql://seer@127.0.0.1:$PG_PORT/$1" CLUSTER_EXTRA="snapshot_interval: $2" \
      three_nodes "$1" \
      "storage: {backend: postgresql, postgresql: {url: \"postgresql://seer@127.0.0.1:$PG_PORT/$1\"}}"
  }
  # Runs in the order of SNAPSHOT_INTERVALS (default "0s 30s 1s"; reverse it to see whether
  # the order matters: the server carries the previous runs' checkpoints).
  out="{\"events\":$EVENTS,\"backend\":\"postgresql\""
  for iv in ${SNAPSHOT_INTERVALS:-0s 30s 1s}; do
    r=$(pg_run "snapshots_$iv" "$iv")
    rows=$(psql -X -qAt "postgresql://seer@127.0.0.1:$PG_PORT/snapshots_$iv" -c "select count(*) from actor_snapshots")
    out+=",\"three_nodes_snapshots_$iv\":$r,\"snapshot_rows_$iv\":$rows"
  done
  printf '%s,"load_avg":"%s"}\n' "$out" "$(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

# The console on any free port: 8090 may be taken by another node on this machine.
standalone=$(run_e2e standalone --yaml "console: {port: 0}")
one=$(run_e2e one --yaml "console: {port: 0}" --yaml "$(cluster_yaml n1 "$P1" "[]")")
three=$(three_nodes three)
printf '{"events":%s,"standalone":%s,"one_node":%s,"three_nodes":%s,"load_avg":"%s"}\n' \
  "$EVENTS" "$standalone" "$one" "$three" "$(cut -d' ' -f1-3 /proc/loadavg)"
