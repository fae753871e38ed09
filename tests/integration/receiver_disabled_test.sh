#!/usr/bin/env bash
# receivers.syslog.udp.enabled / tcp.enabled: false keep that listener from binding (the actor
# stays in the supervision tree, idle), while the other one serves as usual.
source "$(dirname "$0")/lib.sh"

cat > "$WORK/seerflow.yaml" <<YAML
data_dir: $WORK/data
receivers:
  syslog:
    udp: {enabled: false, bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
console: {bind: 127.0.0.1, port: 0}
storage:
  flush: 20ms
YAML
start_seerflow "$WORK/seerflow.yaml"
python3 -c 'import json,sys; print(" ".join(sorted(e["protocol"] for e in json.load(open(sys.argv[1]))["endpoints"] if e["protocol"].startswith("syslog"))))' \
  "$WORK/data/endpoints.json" > "$WORK/protocols"
expect_eq "syslog endpoints" "$(cat "$WORK/protocols")" "syslog/tcp"
grep -q "disabled (receivers.syslog.udp.enabled: false)" "$WORK/stderr.log" || fail "no note that UDP is disabled"
# The TCP listener still takes traffic.
port=$(endpoint_port syslog/tcp)
logger --tcp --server 127.0.0.1 --port "$port" --rfc3164 -t app "tcp still works"
wait_rows "select count(*) from events where message = 'tcp still works'" 1
stop_seerflow
echo "PASS"
