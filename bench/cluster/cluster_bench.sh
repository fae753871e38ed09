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
#   bench/cluster/cluster_bench.sh [--events N] [--build DIR]
# On one machine the three nodes share its cores, so three_nodes measures the cost of the
# cluster path (serialisation, TLS, forwarding), not the scale-out across hosts.
set -euo pipefail
EVENTS=300000
BUILD=$(cd "$(dirname "$0")/../.." && pwd)/build/ci
while [[ $# -gt 0 ]]; do
  case $1 in
    --events) EVENTS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    *) echo "usage: $0 [--events N] [--build DIR]" >&2; exit 2 ;;
  esac
done
BIN=$BUILD/seerflow
E2E=$BUILD/bench/bench_e2e_syslog_tcp
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seerflow-cluster-bench.XXXXXX")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

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
cluster_yaml() {  # cluster_yaml NAME PORT SEEDS
  printf 'cluster: {enabled: true, node_id: %s, listen: "127.0.0.1:%s", seeds: %s, tls: {certificate: %s, key: %s, ca_file: %s}}\n' \
    "$1" "$2" "$3" "$WORK/pki/$1.pem" "$WORK/pki/$1.key" "$WORK/pki/ca.pem"
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

# The console on any free port: 8090 may be taken by another node on this machine.
standalone=$(run_e2e standalone --yaml "console: {port: 0}")
one=$(run_e2e one --yaml "console: {port: 0}" --yaml "$(cluster_yaml n1 "$P1" "[]")")

for n in n2 n3; do
  port=$P2; [[ $n == n3 ]] && port=$P3
  mkdir -p "$WORK/$n"
  {
    echo "data_dir: $WORK/$n/data"
    # Port 0: receivers.syslog.udp.enabled: false is not honoured on main (the receiver binds).
    echo "receivers: {syslog: {udp: {bind: 127.0.0.1, port: 0}, tcp: {bind: 127.0.0.1, port: 0}}}"
    echo "console: {bind: 127.0.0.1, port: 0}"
    cluster_yaml "$n" "$port" "[127.0.0.1:$P1]"
  } > "$WORK/$n/node.yaml"
  "$BIN" --node --config "$WORK/$n/node.yaml" 2> "$WORK/$n/stderr.log" &
  PIDS+=($!)
done
sleep 1
three=$(run_e2e three --yaml "console: {port: 0}" --yaml "$(cluster_yaml n1 "$P1" "[127.0.0.1:$P2, 127.0.0.1:$P3]")")
# Did n2 and n3 really take part? The batches their directories took from n1.
received() {  # received NODE: batches forwarded to it and delivered by its directory
  local d=$WORK/$1/data port
  port=$(python3 -c 'import json,sys; print(next(e["port"] for e in json.load(open(sys.argv[1]))["endpoints"] if e["protocol"]=="console/http"))' "$d/endpoints.json")
  curl -s --noproxy '*' -H "Authorization: Bearer $(cat "$d/console.token")" \
    "http://127.0.0.1:$port/api/actor?name=directory" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["state"]["cluster"]["batches_received"])'
}
members_seen="{\"n2_batches_received\": $(received n2), \"n3_batches_received\": $(received n3)}"
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
PIDS=()
printf '{"events":%s,"standalone":%s,"one_node":%s,"three_nodes":%s,"peers":%s,"load_avg":"%s"}\n' \
  "$EVENTS" "$standalone" "$one" "$three" "$members_seen" "$(cut -d' ' -f1-3 /proc/loadavg)"
