#!/usr/bin/env bash
# Where a Sigma correlation grouped by an entity keeps its window. Six failed SSH passwords from
# one address arrive through syslog (logger over UDP) and six through a tailed file: two source
# actors. With sigma.correlation_windows: entity the address's actor owns the window, so the
# twelve failures meet and the brute force (ten within five minutes) fires once (the default);
# with source each source counts its own six and nothing fires.
source "$(dirname "$0")/lib.sh"

LOGS="$WORK/logs"
mkdir -p "$LOGS"

config() {  # config FILE OWNER
  cat > "$1" <<YAML
data_dir: $WORK/data-$2
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
  files:
    enabled: true
    paths: [$LOGS/$2.log]
    format: syslog
    start_at: beginning
    poll_interval: 10ms
    rescan_interval: 50ms
console: {bind: 127.0.0.1, port: 0}
storage:
  flush: 20ms
sigma:
  correlation_windows: $2
detect:
  enabled: false
YAML
}

run_case() {  # run_case OWNER EXPECTED_CORRELATIONS
  local owner=$1 want=$2
  config "$WORK/$owner.yaml" "$owner"
  : > "$LOGS/$owner.log"
  "$SEERFLOW" start --config "$WORK/$owner.yaml" 2> "$WORK/$owner.err" &
  SEERFLOW_PID=$!
  local i
  for i in $(seq 1 300); do
    [[ -f "$WORK/data-$owner/endpoints.json" ]] && break
    sleep 0.05
  done
  [[ -f "$WORK/data-$owner/endpoints.json" ]] || fail "seerflow ($owner) did not become ready"
  local port
  port=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(e["port"] for e in d["endpoints"] if e["protocol"]=="syslog/udp"))' \
    "$WORK/data-$owner/endpoints.json")
  local now
  for i in 1 2 3 4 5 6; do
    logger --udp --server 127.0.0.1 --port "$port" --rfc3164 -p auth.info -t sshd \
      "Failed password for root from 198.51.100.23 port $((40000 + i)) ssh2"
    now=$(date '+%b %e %H:%M:%S')
    printf '%s web-prod-02 sshd[77]: Failed password for admin from 198.51.100.23 port %d ssh2\n' \
      "$now" $((41000 + i)) >> "$LOGS/$owner.log"
  done
  local dbf="$WORK/data-$owner/seerflow.db" n=0
  for i in $(seq 1 200); do
    n=$(sqlite3 "$dbf" "select count(*) from events where message like 'Failed password%198.51.100.23%'" 2>/dev/null || echo 0)
    [[ "$n" == 12 ]] && break
    sleep 0.05
  done
  expect_eq "$owner: failures stored" "$n" 12
  sleep 0.5
  kill -TERM "$SEERFLOW_PID"
  wait "$SEERFLOW_PID" || true
  sqlite3 "$dbf" "select source from events where message like 'Failed password%' group by source order by source" > "$WORK/$owner.sources"
  expect_eq "$owner: two sources" "$(tr '\n' ' ' < "$WORK/$owner.sources")" "files syslog "
  expect_eq "$owner: brute-force correlations" \
    "$(sqlite3 "$dbf" "select count(*) from alerts where kind = 'correlation' and rule = '784fd379-8306-4da3-8d89-039d55d87820'")" \
    "$want"
  if [[ "$want" == 1 ]]; then
    expect_eq "$owner: grouped by the address" \
      "$(sqlite3 "$dbf" "select json_extract(details, '\$.group.src_ip') || ' ' || json_extract(details, '\$.measured') from alerts where kind = 'correlation'")" \
      "198.51.100.23 10.0"
  fi
}

run_case entity 1
run_case source 0
echo "PASS"
