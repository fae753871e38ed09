#!/usr/bin/env bash
# Alert delivery end to end: the real binary reads the OpenSSH log on stdin, its Sigma rules and
# correlations raise alerts, and sinks of every type deliver them to local HTTP receivers
# (tests/integration/http_recorder.py) that record each request.
#   1. Slack, Teams, webhook and PagerDuty each receive one well-formed payload per stored alert
#      (one per dedup window and key; repeats only raise the stored count), the webhook's HMAC
#      verifies, and receivers that answer 500 or 429 at first still get every alert exactly once.
#   2. `seerflow feedback ID fp` records the verdict (shown by `query alerts`) and sends
#      PagerDuty a resolve with the trigger's dedup_key.
#   3. Alerts pending when the agent is killed (-9) while their receiver is down are delivered
#      after a restart, once the receiver is up.
source "$(dirname "$0")/lib.sh"

LOG="${SEERFLOW_SHARED_DATA:-}/loghub/OpenSSH/OpenSSH_2k.log"
[[ -f "$LOG" ]] || { echo "SKIP: $LOG not found"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
RECORDER_PIDS=()
stop_recorders() { for p in "${RECORDER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap 'stop_recorders; cleanup' EXIT

start_recorder() {  # start_recorder NAME [recorder args...]; sets PORT_<NAME>
  local name=$1; shift
  python3 "$HERE/http_recorder.py" "$WORK/$name.port" "$WORK/$name.jsonl" "$@" &
  RECORDER_PIDS+=($!)
  local i
  for i in $(seq 1 200); do [[ -f "$WORK/$name.port" ]] && break; sleep 0.05; done
  [[ -f "$WORK/$name.port" ]] || fail "recorder $name did not start"
  printf -v "PORT_$name" '%s' "$(cat "$WORK/$name.port")"
}

# requests NAME [status]: requests the recorder NAME answered (with that status, default any).
requests() {
  [[ -f "$WORK/$1.jsonl" ]] || { echo 0; return; }
  python3 - "$WORK/$1.jsonl" "${2:-}" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(sum(1 for r in rows if not sys.argv[2] or r["answered"] == int(sys.argv[2])))
PY
}

wait_requests() {  # wait_requests NAME STATUS EXPECTED
  local got="" i
  for i in $(seq 1 400); do
    got=$(requests "$1" "$2")
    [[ "$got" == "$3" ]] && return 0
    sleep 0.05
  done
  fail "recorder $1: expected $3 requests answered $2, got '$got'"
}

# --- 1. every sink type, and receivers that fail first -----------------------------------------
# A generous attempt timeout: on a loaded machine the Python recorders can be slow to answer, and
# an attempt the client gives up on after the recorder took it is (rightly) sent again, which
# this exactly-once check would count as a duplicate.
start_recorder main
start_recorder flaky500 --fail 5 --status 500
start_recorder flaky429 --fail 5 --status 429
export SINK_SECRET="it's a secret"
write_config "$WORK/seerflow.yaml" "alerts:
  sinks:
    - {type: slack, url: 'http://127.0.0.1:$PORT_main/slack', timeout: 60s}
    - {type: teams, url: 'http://127.0.0.1:$PORT_main/teams', timeout: 60s}
    - {type: webhook, url: 'http://127.0.0.1:$PORT_main/webhook', secret: '\${SINK_SECRET}', timeout: 60s}
    - {type: pagerduty, url: 'http://127.0.0.1:$PORT_main/pagerduty', routing_key: rk-123, timeout: 60s}
    - {name: flaky500, type: webhook, url: 'http://127.0.0.1:$PORT_flaky500/in', backoff_initial: 20ms, backoff_max: 100ms, timeout: 60s}
    - {name: flaky429, type: slack, url: 'http://127.0.0.1:$PORT_flaky429/in', backoff_initial: 20ms, backoff_max: 100ms, timeout: 60s}
    - {name: only-high, type: webhook, url: 'http://127.0.0.1:$PORT_main/high', min_severity: high, timeout: 60s}"
"$SEERFLOW" start --config "$WORK/seerflow.yaml" --stdin < "$LOG" 2> "$WORK/stderr.log" &
SEERFLOW_PID=$!
for i in $(seq 1 300); do [[ -f "$WORK/data/endpoints.json" ]] && break; sleep 0.05; done
wait_rows "select count(*) > 0 from alerts" 1
# The log is read at once; alerts are stored as the store commits. Wait until their number holds.
prev=-1
for i in $(seq 1 100); do
  n=$(db "select count(*) from alerts")
  [[ "$n" == "$prev" ]] && break
  prev=$n
  sleep 0.3
done
N=$(db "select count(*) from alerts")
HIGH=$(db "select count(*) from alerts where severity in ('high','critical')")
REPEATS=$(db "select sum(dedup_count) - count(*) from alerts")
echo "alerts stored: $N ($HIGH high or critical), repeats folded: $REPEATS"
[[ "$N" -ge 10 ]] || fail "expected Sigma alerts from the OpenSSH log, got $N"
[[ "$REPEATS" -gt 0 ]] || fail "expected repeats inside a dedup window"
[[ "$HIGH" -gt 0 && "$HIGH" -lt "$N" ]] || fail "expected some high and some medium alerts"

wait_requests main "" $((4 * N + HIGH))
wait_requests flaky500 200 "$N"
wait_requests flaky429 200 "$N"
wait_rows "select count(*) from pending_deliveries" 0
expect_eq "failed deliveries" "$(db "select count(*) from alert_deliveries where status != 'delivered'")" 0
expect_eq "flaky500 errors answered" "$(requests flaky500 500)" 5
expect_eq "flaky429 errors answered" "$(requests flaky429 429)" 5
expect_eq "retried deliveries recorded" \
  "$(db "select count(*) >= 1 from alert_deliveries where sink = 'flaky500' and attempts > 1")" 1

# Each payload against the documented shape; one delivery per stored alert per sink.
db "select id from alerts order by id" > "$WORK/alert_ids"
python3 - "$WORK" "$N" "$SINK_SECRET" <<'PY' || fail "payload check failed"
import collections, hashlib, hmac, json, sys
work, n, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
ids = sorted(l.strip() for l in open(work + "/alert_ids") if l.strip())
def rows(name):
    return [json.loads(l) for l in open(f"{work}/{name}.jsonl")]
by_path = collections.defaultdict(list)
for r in rows("main"):
    by_path[r["path"]].append(r)
def once(label, got):
    c = collections.Counter(got)
    dup = [k for k, v in c.items() if v > 1]
    assert not dup, f"{label}: delivered more than once: {dup[:3]}"
    return set(got)

slack_ids = []
for r in by_path["/slack"]:
    b = json.loads(r["body"])
    assert r["headers"]["content-type"] == "application/json"
    assert isinstance(b["text"], str) and b["text"]
    blocks = b["blocks"]
    assert [x["type"] for x in blocks] == ["header", "section", "context"], blocks
    assert blocks[0]["text"]["type"] == "plain_text" and 0 < len(blocks[0]["text"]["text"]) <= 150
    assert len(blocks[1]["fields"]) == 4
    assert all(f["type"] == "mrkdwn" and len(f["text"]) <= 2000 for f in blocks[1]["fields"])
    assert [f["text"].split("\n")[0] for f in blocks[1]["fields"]] == ["*Severity*", "*Rule*", "*Entity*", "*ATT&amp;CK*"]
    ctx = blocks[2]["elements"][0]
    assert ctx["type"] == "mrkdwn"
    slack_ids.append(ctx["text"].rsplit("| id ", 1)[1])
assert sorted(once("slack", slack_ids)) == ids, "slack ids differ from stored alerts"

teams_ids = []
for r in by_path["/teams"]:
    b = json.loads(r["body"])
    assert b["type"] == "message" and len(b["attachments"]) == 1
    a = b["attachments"][0]
    assert a["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "contentUrl" in a and a["contentUrl"] is None
    card = a["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["body"][0]["type"] == "TextBlock" and card["body"][1]["type"] == "FactSet"
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert set(facts) >= {"Severity", "Rule", "Entity", "ATT&CK"}
    teams_ids.append(facts["Alert id"])
assert sorted(once("teams", teams_ids)) == ids

hook_ids = []
for r in by_path["/webhook"]:
    h = r["headers"]
    expected = "sha256=" + hmac.new(secret, r["body"].encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(h["x-seerflow-signature"], expected), "bad signature"
    assert h["x-seerflow-timestamp"].isdigit()
    b = json.loads(r["body"])
    assert b["action"] == "trigger"
    for k in ("id", "kind", "severity", "rule", "title", "time", "tactics", "techniques", "entities"):
        assert k in b, k
    hook_ids.append(b["id"])
assert sorted(once("webhook", hook_ids)) == ids

pd_ids = []
for r in by_path["/pagerduty"]:
    b = json.loads(r["body"])
    assert r["answered"] == 202
    assert b["routing_key"] == "rk-123" and b["event_action"] == "trigger"
    p = b["payload"]
    assert 0 < len(p["summary"]) <= 1024 and p["source"]
    assert p["severity"] in ("critical", "error", "warning", "info")
    assert isinstance(p["custom_details"], dict)
    assert b["dedup_key"] == p["custom_details"]["id"]
    pd_ids.append(b["dedup_key"])
assert sorted(once("pagerduty", pd_ids)) == ids

for name in ("flaky500", "flaky429"):
    ok = []
    for r in rows(name):
        if r["answered"] != 200:
            continue
        b = json.loads(r["body"])
        ok.append(b["id"] if "id" in b else b["blocks"][2]["elements"][0]["text"].rsplit("| id ", 1)[1])
    assert sorted(once(name, ok)) == ids, f"{name}: not every alert exactly once"

high = [json.loads(r["body"]) for r in by_path["/high"]]
assert high and all(b["severity"] in ("high", "critical") for b in high)
print("payloads ok:", n, "alerts per sink")
PY

# --- 2. feedback: the verdict is stored and shown; fp resolves the PagerDuty incident -----------
ALERT=$(head -n 1 "$WORK/alert_ids")
"$SEERFLOW" feedback "$ALERT" fp --note "lab scanner" --db "$WORK/data/seerflow.db" > "$WORK/fb.out" \
  || fail "feedback failed"
grep -q "PagerDuty resolve queued for sink pagerduty" "$WORK/fb.out" || fail "no resolve queued: $(cat "$WORK/fb.out")"
wait_requests main "" $((4 * N + HIGH + 1))
python3 - "$WORK/main.jsonl" "$ALERT" <<'PY' || fail "no resolve for $ALERT"
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
b = json.loads(last["body"])
assert last["path"] == "/pagerduty", last["path"]
assert b == {"routing_key": "rk-123", "event_action": "resolve", "dedup_key": sys.argv[2]}, b
PY
expect_eq "verdict" "$(db "select verdict from alerts where id = '$ALERT'")" fp
expect_eq "verdict note" "$(db "select note from alert_verdicts where alert_id = '$ALERT'")" "lab scanner"
"$SEERFLOW" query alerts --db "$WORK/data/seerflow.db" --json --limit 1000 \
  | python3 -c 'import json,sys; v=[json.loads(l) for l in sys.stdin if json.loads(l)["id"]==sys.argv[1]]; assert v and v[0]["verdict"]=="fp"' "$ALERT" \
  || fail "query alerts --json does not show the verdict"
"$SEERFLOW" query alerts --db "$WORK/data/seerflow.db" --limit 1000 > "$WORK/alerts.txt"
grep -q " fp " "$WORK/alerts.txt" || fail "query alerts does not show the verdict"
"$SEERFLOW" feedback "$ALERT" tp --db "$WORK/data/seerflow.db" > /dev/null || fail "tp failed"
expect_eq "verdict changed" "$(db "select verdict from alerts where id = '$ALERT'")" tp
set +e
"$SEERFLOW" feedback no-such-alert fp --db "$WORK/data/seerflow.db" 2> /dev/null; rc1=$?
"$SEERFLOW" feedback "$ALERT" maybe --db "$WORK/data/seerflow.db" 2> /dev/null; rc2=$?
set -e
expect_eq "unknown alert exit code" "$rc1" 1
expect_eq "bad verdict exit code" "$rc2" 2
stop_seerflow

# --- 3. kill -9 with deliveries pending; delivered after the restart ----------------------------
DOWN_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
rm -rf "$WORK/data"
write_config "$WORK/seerflow2.yaml" "alerts:
  sinks:
    - {name: later, type: webhook, url: 'http://127.0.0.1:$DOWN_PORT/in', secret: k, backoff_initial: 50ms, backoff_max: 200ms, max_retries: 1000}"
"$SEERFLOW" start --config "$WORK/seerflow2.yaml" --stdin < "$LOG" 2> "$WORK/stderr.log" &
SEERFLOW_PID=$!
for i in $(seq 1 300); do [[ -f "$WORK/data/endpoints.json" ]] && break; sleep 0.05; done
wait_rows "select count(*) > 0 from alerts" 1
# Every stored alert is queued for the sink that is down, and has been tried at least once.
for i in $(seq 1 200); do
  [[ $(db "select count(*) from alerts") == $(db "select count(*) from pending_deliveries where attempts > 0") ]] \
    && [[ $(db "select count(*) from alerts") == "$N" ]] && break
  sleep 0.1
done
db "select id from alerts order by id" > "$WORK/alert_ids2"
expect_eq "alerts of the second run" "$(wc -l < "$WORK/alert_ids2")" "$N"
kill -KILL "$SEERFLOW_PID"
wait "$SEERFLOW_PID" 2>/dev/null || true
SEERFLOW_PID=""
expect_eq "pending after kill -9" "$(db "select count(*) from pending_deliveries")" "$N"
start_recorder later --port "$DOWN_PORT"
start_seerflow "$WORK/seerflow2.yaml"
wait_requests later 200 "$N"
wait_rows "select count(*) from pending_deliveries" 0
python3 - "$WORK/later.jsonl" "$WORK/alert_ids2" <<'PY' || fail "restart deliveries differ"
import hashlib, hmac, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ids = sorted(json.loads(r["body"])["id"] for r in rows)
assert len(ids) == len(set(ids)), "duplicates after restart"
assert ids == sorted(l.strip() for l in open(sys.argv[2]) if l.strip())
for r in rows:
    sig = "sha256=" + hmac.new(b"k", r["body"].encode(), hashlib.sha256).hexdigest()
    assert r["headers"]["x-seerflow-signature"] == sig
PY
grep -q "deliveries pending from an earlier run" "$WORK/stderr.log" || fail "no pending note at start"
stop_seerflow
echo "PASS"
