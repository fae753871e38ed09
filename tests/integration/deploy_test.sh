#!/usr/bin/env bash
# The deploy/ artefacts work as shipped: the systemd unit passes `systemd-analyze verify`, the
# node config validates and runs the real binary (syslog in, SQLite out, with the unit's
# SEERFLOW_DATA_DIR), `cmake --install` lays out what the unit and the Dockerfile copy, the
# runtime package list is derived from the binary and complete, and the Dockerfile only copies
# files that exist.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(dirname "$SEERFLOW")

# 1. The unit, with its paths pointed at this build (verify checks that ExecStart exists).
mkdir -p "$WORK/unit"
sed -e "s|/usr/local/bin/seerflow|$SEERFLOW|g" -e "s|/etc/seerflow/seerflow.yaml|$ROOT/deploy/seerflow.yaml|g" \
  "$ROOT/deploy/seerflow.service" > "$WORK/unit/seerflow.service"
out=$(systemd-analyze verify "$WORK/unit/seerflow.service" 2>&1) || fail "systemd-analyze verify: $out"
[[ -z "$out" ]] || fail "systemd-analyze verify warned: $out"
# The unit must start what the config says, with the data directory the config relies on.
grep -q '^ExecStart=/usr/local/bin/seerflow start --config /etc/seerflow/seerflow.yaml$' \
  "$ROOT/deploy/seerflow.service" || fail "unexpected ExecStart"
grep -q '^Environment=SEERFLOW_DATA_DIR=/var/lib/seerflow$' "$ROOT/deploy/seerflow.service" ||
  fail "unit does not set SEERFLOW_DATA_DIR"

# 2. The shipped node config validates, rejects a bad override, and runs.
"$SEERFLOW" validate-config "$ROOT/deploy/seerflow.yaml" > /dev/null || fail "deploy/seerflow.yaml invalid"
if SEERFLOW_LOG_LEVEL=loud "$SEERFLOW" validate-config "$ROOT/deploy/seerflow.yaml" 2> "$WORK/bad.txt"; then
  fail "a bad SEERFLOW_LOG_LEVEL was accepted"
fi
grep -q "runtime.log_level" "$WORK/bad.txt" || fail "bad override not named: $(cat "$WORK/bad.txt")"
export SEERFLOW_DATA_DIR="$WORK/data" SEERFLOW_SYSLOG_UDP_PORT=0 SEERFLOW_SYSLOG_TCP_PORT=0 SEERFLOW_CONSOLE_PORT=0
start_seerflow "$ROOT/deploy/seerflow.yaml"
port=$(endpoint_port syslog/udp)
logger -n 127.0.0.1 -P "$port" -d --rfc5424 -t sshd "Failed password for root from 203.0.113.9 port 40022 ssh2"
wait_rows "select count(*) from events where app = 'sshd'" 1
stop_seerflow
unset SEERFLOW_DATA_DIR SEERFLOW_SYSLOG_UDP_PORT SEERFLOW_SYSLOG_TCP_PORT SEERFLOW_CONSOLE_PORT

# 3. cmake --install lays out the binary, the unit and the configs.
cmake --install "$BUILD" --prefix "$WORK/prefix" > "$WORK/install.log" || fail "cmake --install: $(tail -5 "$WORK/install.log")"
for f in bin/seerflow lib/systemd/system/seerflow.service share/seerflow/seerflow.yaml \
         share/seerflow/seerflow.example.yaml share/seerflow/supervision.yaml share/doc/seerflow/README.md; do
  [[ -e "$WORK/prefix/$f" ]] || fail "cmake --install did not install $f"
done
"$WORK/prefix/bin/seerflow" --version > /dev/null || fail "installed binary does not run"

# 4. The runtime image's package list comes from the binary and covers every library it links.
"$ROOT/deploy/runtime-packages.sh" "$SEERFLOW" > "$WORK/packages" || fail "runtime-packages.sh failed"
grep -qx libc6 "$WORK/packages" || fail "runtime packages miss libc6: $(tr '\n' ' ' < "$WORK/packages")"
while read -r pkg; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    fail "runtime package $pkg is not an installed package"
done < "$WORK/packages"
libs=$(ldd "$SEERFLOW" | awk '$2 == "=>" {print $3}' | wc -l)
[[ $libs -gt 0 ]] || fail "ldd found no libraries"
if "$ROOT/deploy/runtime-packages.sh" /nonexistent 2> /dev/null; then fail "runtime-packages.sh accepted a missing binary"; fi

# 5. Every file the Dockerfile copies from the context exists, and it runs as a non-root user.
grep -E '^COPY [^-]' "$ROOT/deploy/Dockerfile" | awk '{print $2}' | while read -r src; do
  [[ "$src" == "." || -e "$ROOT/$src" ]] || fail "Dockerfile copies missing $src"
done
grep -qE '^USER [1-9][0-9]*' "$ROOT/deploy/Dockerfile" || fail "Dockerfile does not drop root"
grep -q 'deploy/runtime-packages.sh' "$ROOT/deploy/Dockerfile" || fail "Dockerfile does not derive its packages"
# 6. The cluster: the compose file is valid YAML with three nodes and PostgreSQL sharing one node
# file that selects the PostgreSQL store; the certificate script makes certificates the CA
# verifies; the example node configs validate.
python3 - "$ROOT/deploy/compose.cluster.yaml" "$ROOT/deploy/cluster-node.yaml" <<'PY' || fail "compose.cluster.yaml"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
nodes = [n for n in c["services"] if n.startswith("seerflow-")]
assert len(nodes) == 3 and "postgres" in c["services"], c["services"].keys()
for n in nodes:
    s = c["services"][n]
    assert s["command"][:2] == ["--node", "--config"], s["command"]
    assert s["environment"]["SEERFLOW_NODE_ID"] == n
    assert any(v.endswith(":/etc/seerflow/cluster-node.yaml:ro") for v in s["volumes"])
    assert s["depends_on"]["postgres"]["condition"] == "service_healthy"
node = yaml.safe_load(open(sys.argv[2]))
assert node["storage"]["backend"] == "postgresql"
assert node["storage"]["postgresql"]["url"] == "postgresql://seerflow:${SEERFLOW_PG_PASSWORD}@postgres:5432/seerflow"
assert node["cluster"]["seeds"] == ["seerflow-1:7600", "seerflow-2:7600", "seerflow-3:7600"]
PY
"$ROOT/deploy/make-cluster-certs.sh" "$WORK/pki" a b > /dev/null 2>&1 || fail "make-cluster-certs.sh failed"
openssl verify -CAfile "$WORK/pki/ca.pem" "$WORK/pki/a.pem" "$WORK/pki/b.pem" > /dev/null || fail "node certificates do not verify"
SEERFLOW_NODE_ID=seerflow-1 SEERFLOW_PG_PASSWORD=secret SEERFLOW_CONSOLE_TOKEN=0123456789abcdef0123 \
  "$SEERFLOW" validate-config "$ROOT/deploy/cluster-node.yaml" > /dev/null 2> "$WORK/cluster-node.err" ||
  fail "deploy/cluster-node.yaml invalid: $(cat "$WORK/cluster-node.err")"
for f in "$ROOT"/conf/cluster/node*.yaml; do
  "$SEERFLOW" validate-config "$f" > /dev/null || fail "$f invalid"
done
echo "deploy: ok"
