# Helpers for the cluster tests: a CA and node certificates made with the openssl CLI, node
# configs on loopback (fixed cluster ports, OS-chosen syslog and console ports), starting and
# stopping several `seerflow --node` processes, and their console API.
source "$(dirname "$0")/lib.sh"

declare -A NODE_PID=()
TOKEN=0123456789abcdef0123456789abcdef

cluster_cleanup() {
  local n
  for n in "${!NODE_PID[@]}"; do
    kill -KILL "${NODE_PID[$n]}" 2>/dev/null || true
  done
  cleanup
}
trap cluster_cleanup EXIT

cluster_fail() {
  local n
  for n in "${!NODE_PID[@]}"; do
    echo "---- $n stderr (last 25 lines) ----" >&2
    tail -n 25 "$WORK/$n/stderr.log" >&2 || true
  done
  fail "$@"
}

# free_ports N: N distinct TCP ports free on 127.0.0.1 right now.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# make_ca: $WORK/pki/ca.{key,pem}
make_ca() {
  mkdir -p "$WORK/pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=seerflow test cluster CA" -keyout "$WORK/pki/ca.key" -out "$WORK/pki/ca.pem" \
    2> "$WORK/pki/openssl.log"
}

# make_node_cert NAME: $WORK/pki/NAME.{key,pem} signed by the CA.
make_node_cert() {
  local n=$1
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$n" \
    -keyout "$WORK/pki/$n.key" -out "$WORK/pki/$n.csr" 2>> "$WORK/pki/openssl.log"
  openssl x509 -req -in "$WORK/pki/$n.csr" -CA "$WORK/pki/ca.pem" -CAkey "$WORK/pki/ca.key" \
    -CAcreateserial -days 2 -out "$WORK/pki/$n.pem" 2>> "$WORK/pki/openssl.log"
}

# make_self_signed NAME: a certificate no CA signed.
make_self_signed() {
  local n=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=$n" -keyout "$WORK/pki/$n.key" -out "$WORK/pki/$n.pem" 2>> "$WORK/pki/openssl.log"
}

# node_config NAME CLUSTER_PORT SEEDS_YAML [extra yaml...]: $WORK/NAME/node.yaml. Lines in
# NODE_STORAGE_YAML and NODE_CLUSTER_YAML (indented two spaces) go into its storage and cluster
# sections.
NODE_STORAGE_YAML=""
NODE_CLUSTER_YAML=""
node_config() {
  local n=$1 port=$2 seeds=$3; shift 3
  mkdir -p "$WORK/$n"
  cat > "$WORK/$n/node.yaml" <<YAML
data_dir: $WORK/$n/data
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
console: {bind: 127.0.0.1, port: 0, token: $TOKEN}
storage:
  flush: 20ms
$NODE_STORAGE_YAML
directory:
  sweep_interval: 500ms
cluster:
  node_id: $n
  listen: 127.0.0.1:$port
  seeds: $seeds
  heartbeat: 300ms
  failure_timeout: 3s
  reconnect_min: 200ms
  reconnect_max: 2s
$NODE_CLUSTER_YAML
  tls:
    certificate: $WORK/pki/$n.pem
    key: $WORK/pki/$n.key
    ca_file: $WORK/pki/ca.pem
YAML
  for extra in "$@"; do printf '%s\n' "$extra" >> "$WORK/$n/node.yaml"; done
}

# start_node NAME [seerflow args...]: `seerflow --node`, waits until its endpoints are written.
start_node() {
  local n=$1; shift
  "$SEERFLOW" --node --config "$WORK/$n/node.yaml" "$@" 2> "$WORK/$n/stderr.log" &
  NODE_PID[$n]=$!
  local i
  for i in $(seq 1 300); do
    [[ -f "$WORK/$n/data/endpoints.json" ]] && return 0
    kill -0 "${NODE_PID[$n]}" 2>/dev/null || cluster_fail "$n exited during start"
    sleep 0.05
  done
  cluster_fail "$n did not become ready in 15 s"
}

node_port() {  # node_port NAME PROTOCOL
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(e["port"] for e in d["endpoints"] if e["protocol"]==sys.argv[2]))' \
    "$WORK/$1/data/endpoints.json" "$2"
}

api() {  # api NAME PATH: GET with the token; the body on stdout
  curl -s --noproxy '*' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$(node_port "$1" console/http)$2"
}

# json_get NAME PATH PYEXPR: evaluates PYEXPR on the JSON body as `j` ("" on any error).
json_get() {
  api "$1" "$2" > "$WORK/api.json" 2>/dev/null || true
  python3 - "$WORK/api.json" "$3" <<'PY' 2>/dev/null || true
import json, sys
try:
    j = json.load(open(sys.argv[1]))
    print(eval(sys.argv[2]))
except Exception:
    print("")
PY
}

# wait_for DESCRIPTION EXPECTED COMMAND...: polls COMMAND until it prints EXPECTED (30 s).
wait_for() {
  local what=$1 expected=$2 got="" i; shift 2
  for i in $(seq 1 300); do
    got=$("$@")
    [[ "$got" == "$expected" ]] && return 0
    sleep 0.1
  done
  cluster_fail "$what: waited for '$expected', got '$got'"
}

node_db() { local n=$1; shift; sqlite3 -batch -noheader "$WORK/$n/data/seerflow.db" "$@" 2>/dev/null || echo "?"; }

stop_node() {
  local n=$1 rc=0
  kill -TERM "${NODE_PID[$n]}"
  wait "${NODE_PID[$n]}" || rc=$?
  unset "NODE_PID[$n]"
  [[ $rc -eq 0 ]] || cluster_fail "$n exited with $rc after SIGTERM"
}

# start_three_nodes: certificates, three node configs seeded by n1 (NODE_STORAGE_YAML and
# NODE_CLUSTER_YAML apply when set), the three processes, and a wait until each sees every member.
# Sets P1 P2 P3 (cluster ports) and SEEDS.
start_three_nodes() {
  make_ca
  local n
  for n in n1 n2 n3; do make_node_cert $n; done
  read -r P1 P2 P3 <<< "$(free_ports 3)"
  SEEDS="[127.0.0.1:$P1]"
  node_config n1 "$P1" "$SEEDS"
  node_config n2 "$P2" "$SEEDS"
  node_config n3 "$P3" "$SEEDS"
  start_node n1
  start_node n2
  start_node n3
  for n in n1 n2 n3; do wait_for "$n sees every member" "n1,n2,n3" live $n; done
}

live() { json_get "$1" /api/cluster "','.join(j['live'])"; }
