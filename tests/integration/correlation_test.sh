#!/usr/bin/env bash
# Risk and kill chain through the real binary. `start`: the scripted attack story sent over TCP
# syslog (python3 socket, auth facility) is stored with its risk and kill-chain alerts, read back
# with sqlite3. `analyze`: the correlation.* keys change what is raised (off, a higher threshold,
# only hosts, a larger kill-chain minimum).
source "$(dirname "$0")/lib.sh"

STORY="$(cd "$(dirname "$0")/../golden/attack_story" && pwd)/auth.log"

write_config "$WORK/seerflow.yaml"
start_seerflow "$WORK/seerflow.yaml"
port=$(endpoint_port syslog/tcp)
python3 - "$port" "$STORY" <<'PY'
import socket, sys
port, story = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
# <86>: facility authpriv (10), severity info (6), as sshd, sudo and cron log on Debian.
for line in open(story, encoding="utf-8"):
    s.sendall(b"<86>" + line.encode())
s.close()
PY
wait_rows "select count(*) from events where host = 'web-prod-01'" 42
wait_rows "select count(*) from alerts where kind = 'kill_chain'" 1
wait_rows "select count(*) from alerts where kind = 'risk'" 2
expect_eq "risk entities" \
  "$(db "select group_concat(v, ',') from (select json_extract(entities, '\$[0].value') as v from alerts where kind = 'risk' order by v)")" \
  "deploy,web-prod-01"
expect_eq "kill chain entity" \
  "$(db "select json_extract(entities, '\$[0].type') || ':' || json_extract(entities, '\$[0].value') from alerts where kind = 'kill_chain'")" \
  "host:web-prod-01"
# The reverse shell's growth of the tactic set came inside the dedup window: one alert, counted.
expect_eq "kill chain count" "$(db "select dedup_count from alerts where kind = 'kill_chain'")" 2
stop_seerflow

# analyze COUNT_KIND ARGS...: prints the number of alerts of each correlation kind.
counts() {
  "$SEERFLOW" analyze "$STORY" --no-summary --year 2025 "$@" 2> "$WORK/analyze.err" |
    python3 -c '
import json, sys
n = {"risk": 0, "kill_chain": 0}
for l in sys.stdin:
    a = json.loads(l)
    if a.get("kind") == "alert" and a["type"] in n: n[a["type"]] += 1
print(n["risk"], n["kill_chain"])'
}
conf() { printf '%s\n' "$@" > "$WORK/c.yaml"; }

expect_eq "defaults" "$(counts)" "2 1"
conf "correlation: {enabled: false}"
expect_eq "disabled" "$(counts --config "$WORK/c.yaml")" "0 0"
conf "correlation: {risk_threshold: 500}"
expect_eq "threshold 500" "$(counts --config "$WORK/c.yaml")" "0 1"
conf "correlation: {entity_types: [host]}"
expect_eq "hosts only" "$(counts --config "$WORK/c.yaml")" "1 1"
conf "correlation: {kill_chain: {min_tactics: 6}}"
expect_eq "six tactics" "$(counts --config "$WORK/c.yaml")" "2 0"
conf "correlation: {points: {correlation: 0, sigma_high: 0}}"
expect_eq "no points" "$(counts --config "$WORK/c.yaml")" "0 1"
conf "correlation: {half_life: 0s}"
"$SEERFLOW" analyze "$STORY" --config "$WORK/c.yaml" > /dev/null 2> "$WORK/bad.err" && fail "half_life 0 accepted"
grep -q "correlation.half_life" "$WORK/bad.err" || fail "no error naming correlation.half_life"
echo "PASS"
