#!/usr/bin/env bash
# The inspection console against the real binary: the token guards every API route (401 with
# none or a wrong one, counted), the actor tree carries every actor of the default tree with its
# mailbox, one actor's state, entity search with live state, templates, alerts, sources, the
# cluster view, Prometheus text, hostile query strings, a restart through the API (the receiver
# comes back and traffic resumes), and `seerflow status` / `seerflow console` (exit codes too).
source "$(dirname "$0")/lib.sh"

write_config "$WORK/seerflow.yaml"
start_seerflow "$WORK/seerflow.yaml"
CONSOLE=$(endpoint_port console/http)
UDP=$(endpoint_port syslog/udp)
TOKEN=$(cat "$WORK/data/console.token")
[[ ${#TOKEN} -eq 64 ]] || fail "generated token has ${#TOKEN} characters"
perm=$(stat -c %a "$WORK/data/console.token")
expect_eq "token file mode" "$perm" "600"
BASE="http://127.0.0.1:$CONSOLE"
api() { curl -s -H "Authorization: Bearer $TOKEN" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
js() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# The token is required everywhere but on the page itself.
expect_eq "no token" "$(code "$BASE/api/health")" 401
expect_eq "wrong token" "$(code -H 'Authorization: Bearer 0000000000000000000000' "$BASE/api/actors")" 401
expect_eq "basic auth" "$(code -u "x:$TOKEN" "$BASE/metrics")" 401
expect_eq "page" "$(code "$BASE/")" 200
curl -s "$BASE/" > "$WORK/page.html"
grep -q "<title>Seerflow console</title>" "$WORK/page.html" || fail "page is not the console"
expect_eq "unknown path" "$(code -H "Authorization: Bearer $TOKEN" "$BASE/api/nothing")" 404
expect_eq "wrong method" "$(code -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/actors")" 405

logger -n 127.0.0.1 -P "$UDP" -d --rfc5424 -t sshd "Failed password for root from 203.0.113.9 port 40022 ssh2"
logger -n 127.0.0.1 -P "$UDP" -d --rfc5424 -t sshd "Failed password for admin from 203.0.113.9 port 40023 ssh2"
wait_rows "select count(*) from events" 2

health=$(api "$BASE/api/health")
expect_eq "health" "$(echo "$health" | js 'd["status"]')" ok
expect_eq "events counted" "$(echo "$health" | js 'd["counters"]["source_events"]')" 2
actors=$(api "$BASE/api/actors")
for a in root store alerts directory console ingest syslog syslog-udp syslog-tcp; do
  echo "$actors" | js "[a for a in d['actors'] if a['name']=='$a'][0]['mailbox'] is not None" | grep -q True ||
    fail "actor $a missing or without a mailbox in /api/actors"
done
expect_eq "parent of syslog-udp" "$(echo "$actors" | js "[a for a in d['actors'] if a['name']=='syslog-udp'][0]['parent']")" ingest
expect_eq "store state" "$(api "$BASE/api/actor?name=store" | js 'd["state"]["events_written"]')" 2
expect_eq "unknown actor" "$(code -H "Authorization: Bearer $TOKEN" "$BASE/api/actor?name=nobody")" 404
expect_eq "actor without name" "$(code -H "Authorization: Bearer $TOKEN" "$BASE/api/actor")" 400

ent=$(api "$BASE/api/entities?q=203.0.113")
expect_eq "entity found" "$(echo "$ent" | js '[e["value"] for e in d["entities"]]')" "['203.0.113.9']"
expect_eq "entity live state" "$(echo "$ent" | js 'd["entities"][0]["live"]["events"]')" 2
# Hostile search text is a parameter: LIKE wildcards and quotes match literally, nothing breaks.
expect_eq "wildcard search" "$(api "$BASE/api/entities?q=%25" | js 'len(d["entities"])')" 0
expect_eq "quote search" "$(api "$BASE/api/entities?q=%27%20OR%201%3D1--" | js 'len(d["entities"])')" 0
expect_eq "broken escape" "$(code -H "Authorization: Bearer $TOKEN" "$BASE/api/entities?q=%zz")" 400
expect_eq "templates" "$(api "$BASE/api/templates" | js 'd["templates"][0]["template"]')" \
  "Failed password for <*> from <*> port <*> ssh2"
api "$BASE/api/alerts" | js 'isinstance(d["alerts"], list)' | grep -q True || fail "alerts is not a list"
expect_eq "sources" "$(api "$BASE/api/sources" | js 'sorted(s["name"] for s in d["sources"])')" "['files', 'otlp', 'syslog', 'webhooks']"
expect_eq "cluster" "$(api "$BASE/api/cluster" | js 'd["nodes"][0]["self"]')" True

metrics=$(api "$BASE/metrics")
echo "$metrics" | grep -q '^# TYPE seerflow_records_received_total counter$' || fail "no records_received family"
echo "$metrics" | grep -qE '^seerflow_records_received_total\{receiver="syslog-udp"\} 2$' || fail "udp count not 2 in /metrics"
echo "$metrics" | grep -qE '^seerflow_console_unauthorized_total [1-9]' || fail "401s not counted"
# Every sample line parses as name{labels} value.
echo "$metrics" | grep -vE '^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge)$' |
  grep -vE '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9]+$' &&
  fail "unparsable lines in /metrics"

# The CLI: status is healthy, console prints the tree and the entity.
"$SEERFLOW" status --data-dir "$WORK/data" > "$WORK/status.txt" || fail "status exit $? on a healthy node"
grep -q "node local: ok" "$WORK/status.txt" || fail "status said: $(cat "$WORK/status.txt")"
"$SEERFLOW" console tree --data-dir "$WORK/data" > "$WORK/tree.txt" || fail "console tree failed"
grep -qE '^    syslog-udp +syslog_udp +mailbox [0-9]+ +restarts 0' "$WORK/tree.txt" || fail "tree: $(cat "$WORK/tree.txt")"
"$SEERFLOW" console entity 203.0.113.9 --data-dir "$WORK/data" | grep -q '^ip:203.0.113.9' || fail "console entity"
if "$SEERFLOW" status --data-dir "$WORK/data" --token wrong-token-0123456789 2> "$WORK/err.txt"; then
  fail "status succeeded with a wrong token"
fi
grep -q "401" "$WORK/err.txt" || fail "wrong token not reported: $(cat "$WORK/err.txt")"

# Restart through the API: the receiver is killed, restarted by its supervisor, and serves again.
expect_eq "restart" "$(code -X POST -H "Authorization: Bearer $TOKEN" "$BASE/api/actor/restart?name=syslog-udp")" 202
for i in $(seq 1 100); do
  inc=$(api "$BASE/api/actors" | js "[a for a in d['actors'] if a['name']=='syslog-udp'][0]['incarnation']" 2>/dev/null || echo 0)
  [[ "$inc" == 2 ]] && break
  sleep 0.1
done
expect_eq "incarnation after restart" "$inc" 2
# Port 0 in the config: the new incarnation has a port of its own, which its state tells.
UDP=$(api "$BASE/api/actor?name=syslog-udp" | js 'd["state"]["port"]')
logger -n 127.0.0.1 -P "$UDP" -d --rfc5424 -t sshd "Accepted password for root from 203.0.113.9 port 40024 ssh2"
wait_rows "select count(*) from events" 3
expect_eq "restarts in health" "$(api "$BASE/api/health" | js 'd["restarts"]')" 1

# An unreachable node: status says so and exits 1.
stop_seerflow
if "$SEERFLOW" status --url "http://127.0.0.1:$CONSOLE" --token "$TOKEN" 2> "$WORK/err.txt"; then
  fail "status succeeded against a stopped node"
fi
grep -q "unreachable" "$WORK/err.txt" || fail "unreachable not reported: $(cat "$WORK/err.txt")"
echo "console: ok"
