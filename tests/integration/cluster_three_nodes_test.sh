#!/usr/bin/env bash
# Three `seerflow --node` processes on loopback with their own ports and data directories, joined
# through one seed over mutual TLS. Syslog goes to n1 only (util-linux `logger` and the attack
# story over TCP); entity and template actors end up on all three nodes (each node's console),
# risk and kill-chain alerts are stored by the node that owns the entity, and every event is
# stored once, by n1. Then n3 is killed with kill -9: the others notice, drop it from placement,
# and the run goes on (more traffic, processed and stored; n3's ids are taken over).
source "$(dirname "$0")/cluster_lib.sh"

STORY="$(cd "$(dirname "$0")/../golden/attack_story" && pwd)/auth.log"

start_three_nodes

# `seerflow status` lists the members and is healthy.
CONSOLE1="http://127.0.0.1:$(node_port n1 console/http)"
"$SEERFLOW" status --url "$CONSOLE1" --token "$TOKEN" > "$WORK/status.txt" 2>&1 ||
  cluster_fail "status of n1 exited non-zero: $(cat "$WORK/status.txt")"
grep -q 'member n2 .* up' "$WORK/status.txt" || cluster_fail "status lacks n2: $(cat "$WORK/status.txt")"
grep -q 'member n3 .* up' "$WORK/status.txt" || cluster_fail "status lacks n3"

UDP1=$(node_port n1 syslog/udp)
TCP1=$(node_port n1 syslog/tcp)

# send_burst FROM TO: one sshd line per user/address pair, over TCP with `logger` (one
# connection; each line a record).
send_burst() {
  local i
  for ((i = $1; i < $2; i++)); do
    echo "Failed password for user$i from 10.1.$((i / 200)).$((i % 200)) port $((40000 + i)) ssh2"
  done > "$WORK/burst.txt"
  logger --rfc3164 -n 127.0.0.1 -P "$TCP1" -T -t sshd -p auth.info -f "$WORK/burst.txt"
}
# The attack story first (its alerts are known from the single-node test), then the burst.
python3 - "$TCP1" "$STORY" <<'PY'
import socket, sys
port, story = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
for line in open(story, encoding="utf-8"):
    s.sendall(b"<86>" + line.encode())
s.close()
PY
wait_for "story events stored by n1" 42 node_db n1 "select count(*) from events"

# Alerts: raised by the entity actors where they live, so stored by the owning node. Across the
# cluster: the story's one kill chain and two risk alerts, exactly as on a single node
# (integration/correlation).
alerts_of() {
  local k=$1
  echo $(( $(node_db n1 "select count(*) from alerts where kind='$k'") + \
           $(node_db n2 "select count(*) from alerts where kind='$k'") + \
           $(node_db n3 "select count(*) from alerts where kind='$k'") ))
}
wait_for "kill-chain alerts in the cluster" 1 alerts_of kill_chain
wait_for "risk alerts in the cluster" 2 alerts_of risk
# Each is stored by the node that owns its entity (n1's console asks the owner's directory).
owner_of() {  # owner_of TYPE VALUE
  json_get n1 "/api/entities?q=$2" "[e for e in j['entities'] if e['type']=='$1' and e['value']=='$2'][0]['live']['node']"
}
check_stored_by_owner() {  # KIND TYPE VALUE
  local owner n
  owner=$(owner_of "$2" "$3")
  [[ "$owner" =~ ^n[123]$ ]] || cluster_fail "no owner reported for $2:$3 ('$owner')"
  for n in n1 n2 n3; do
    local want=0
    [[ $n == "$owner" ]] && want=1
    expect_eq "$1 alert about $2:$3 on $n (owner $owner)" \
      "$(node_db $n "select count(*) from alerts where kind='$1' and json_extract(entities, '\$[0].value')='$3'")" "$want"
  done
  echo "$1 alert about $2:$3 stored by its owner $owner" >&2
}
check_stored_by_owner kill_chain host web-prod-01
check_stored_by_owner risk host web-prod-01
check_stored_by_owner risk user deploy

send_burst 0 300
logger -n 127.0.0.1 -P "$UDP1" -d -t cron -p cron.info "one over UDP too"
EXPECTED=$((42 + 300 + 1))
wait_for "events stored by n1" "$EXPECTED" node_db n1 "select count(*) from events"
for n in n2 n3; do
  expect_eq "events stored by $n (traffic went to n1 only)" "$(node_db $n "select count(*) from events")" 0
done

# Entity actors on all three nodes: each directory knows some (live or passive).
entities() { json_get "$1" "/api/actor?name=directory" "j['state']['entities']['known_ever'] > 20"; }
templates() { json_get "$1" "/api/actor?name=directory" "j['state']['templates']['known_ever']"; }
for n in n1 n2 n3; do wait_for "entity actors on $n" True entities $n; done
# n1 forwarded one message per owning node per batch; the others received them.
expect_eq "n1 forwarded batches" "$(json_get n1 "/api/actor?name=directory" "j['state']['cluster']['batches_forwarded'] > 0")" True
for n in n2 n3; do
  expect_eq "$n received batches" "$(json_get $n "/api/actor?name=directory" "j['state']['cluster']['batches_received'] > 0")" True
done
total_templates=$(( $(templates n1) + $(templates n2) + $(templates n3) ))
[[ $total_templates -ge 1 ]] || cluster_fail "no template actors at all"

# ---- kill -9 of n3 ---------------------------------------------------------------------------
n3_entities=$(json_get n3 "/api/actor?name=directory" "j['state']['entities']['known_ever']")
kill -KILL "${NODE_PID[n3]}"
wait "${NODE_PID[n3]}" 2>/dev/null || true
unset "NODE_PID[n3]"
for n in n1 n2; do wait_for "$n dropped n3" "n1,n2" live $n; done
expect_eq "n3 shown down" "$(json_get n1 /api/cluster "[x['status'] for x in j['nodes'] if x['name']=='n3'][0]")" down

before2=$(json_get n2 "/api/actor?name=directory" "j['state']['cluster']['batches_received']")
# Old entities again (n3's ids among them) and new ones.
send_burst 0 600
EXPECTED=$((EXPECTED + 600))
wait_for "events stored by n1 after the kill" "$EXPECTED" node_db n1 "select count(*) from events"
after2=$(json_get n2 "/api/actor?name=directory" "j['state']['cluster']['batches_received']")
[[ $after2 -gt $before2 ]] || cluster_fail "n2 received nothing after the kill ($before2 -> $after2)"
# Every entity of the run lives on n1 or n2 now: n3's were taken over, fresh.
known() { echo $(( $(json_get n1 "/api/actor?name=directory" "j['state']['entities']['known_ever']") + \
                   $(json_get n2 "/api/actor?name=directory" "j['state']['entities']['known_ever']") )); }
[[ $(known) -ge 600 ]] || cluster_fail "survivors know $(known) entities, expected at least 600"
echo "n3 had $n3_entities entities; survivors know $(known)" >&2
# Counted equals stored: n1's sources counted every event the store has.
counted=$(json_get n1 /api/health "j['counters']['source_events']")
expect_eq "events counted = events stored" "$counted" "$(node_db n1 "select count(*) from events")"
grep -q "lost node n3" "$WORK/n1/stderr.log" || cluster_fail "n1 did not log the loss of n3"

# ---- n3 comes back: the ids it owns again are handed over with their state -----------------
start_node n3
for n in n1 n2 n3; do wait_for "$n sees n3 again" "n1,n2,n3" live $n; done
taken() { json_get n3 "/api/actor?name=directory" "j['state']['cluster']['ids_taken_over'] > 0"; }
wait_for "n3 took over ids with their snapshots" True taken
handed=$(( $(json_get n1 "/api/actor?name=directory" "j['state']['cluster']['ids_handed_over']") + \
           $(json_get n2 "/api/actor?name=directory" "j['state']['cluster']['ids_handed_over']") ))
[[ $handed -gt 0 ]] || cluster_fail "n1 and n2 handed nothing over"
# Users 300..599 were seen once, after n3 died, so by n1 or n2. Once more now: those n3 owns
# again must show two events there (one from the hand-over, one new), never one (fresh state).
send_burst 300 600
EXPECTED=$((EXPECTED + 300))
wait_for "events stored by n1 after the rejoin" "$EXPECTED" node_db n1 "select count(*) from events"
for q in user3 user4 user5; do api n1 "/api/entities?q=$q&limit=1000" > "$WORK/ent_$q.json"; done
check_users() {  # check_users NODE EVENTS: users 300..599 on NODE must show EVENTS events
python3 - "$WORK" "$1" "$2" <<'PY'
import json, re, sys
on3, bad = 0, []
node, want = sys.argv[2], int(sys.argv[3])
for q in ("user3", "user4", "user5"):
    for e in json.load(open(f"{sys.argv[1]}/ent_{q}.json"))["entities"]:
        m = re.fullmatch(r"user(\d+)", e["value"])
        if e["type"] != "user" or not m or not 300 <= int(m.group(1)) < 600:
            continue
        live = e.get("live") or {}
        if node == "n3" and live.get("node") != "n3":
            continue
        if node == "n3":
            open(f"{sys.argv[1]}/on_n3.txt", "a").write(e["value"] + "\n")
        elif e["value"] + "\n" not in open(f"{sys.argv[1]}/on_n3.txt").readlines():
            continue
        on3 += 1
        if live.get("events") != want or (node != "n3" and live.get("node") == "n3"):
            bad.append(f'{e["value"]}:{live.get("node")}:{live.get("events")}')
print(on3, " ".join(bad))
PY
}
rm -f "$WORK/on_n3.txt"
check_users n3 2 > "$WORK/moved.txt"
read -r on3 bad < "$WORK/moved.txt" || true
[[ ${on3:-0} -ge 30 ]] || cluster_fail "only ${on3:-0} of users 300..599 live on n3 after its return"
[[ -z "${bad:-}" ]] || cluster_fail "state lost in the hand-over (value:events): $bad"
echo "$on3 users handed back to n3 with their state" >&2

# ---- n3 leaves gracefully: its ids go to n1 and n2 with their state -------------------------
taken_before=$(( $(json_get n1 "/api/actor?name=directory" "j['state']['cluster']['ids_taken_over']") + \
                 $(json_get n2 "/api/actor?name=directory" "j['state']['cluster']['ids_taken_over']") ))
stop_node n3
for n in n1 n2; do wait_for "$n saw n3 leave" "n1,n2" live $n; done
taken_after=$(( $(json_get n1 "/api/actor?name=directory" "j['state']['cluster']['ids_taken_over']") + \
                $(json_get n2 "/api/actor?name=directory" "j['state']['cluster']['ids_taken_over']") ))
[[ $taken_after -gt $taken_before ]] || cluster_fail "n1 and n2 took nothing over from n3 ($taken_before -> $taken_after)"
send_burst 300 600
EXPECTED=$((EXPECTED + 300))
wait_for "events stored by n1 after n3 left" "$EXPECTED" node_db n1 "select count(*) from events"
for q in user3 user4 user5; do api n1 "/api/entities?q=$q&limit=1000" > "$WORK/ent_$q.json"; done
check_users survivors 3 > "$WORK/left.txt"
read -r kept bad < "$WORK/left.txt" || true
expect_eq "users of n3 found on the survivors" "${kept:-0}" "$on3"
[[ -z "${bad:-}" ]] || cluster_fail "state lost when n3 left (value:node:events): $bad"
echo "$kept users moved from the leaving n3 with their state" >&2

stop_node n2
stop_node n1
echo "PASS"
