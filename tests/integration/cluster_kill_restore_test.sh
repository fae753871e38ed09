#!/usr/bin/env bash
# Three `seerflow --node` processes sharing one PostgreSQL store (tests/integration/pg_lib.sh):
# every node writes the snapshots of the entity and template actors it owns to the store
# (cluster.snapshot_interval, here 500ms). Syslog goes to n1; the users' entity actors live on
# all three nodes. Once n3 has written its snapshots, n3 is killed with kill -9: n1 and n2
# notice, read what n3 wrote last, and its users come back on them with their state (one event
# each, seen before the kill), never fresh; more traffic for them counts on from there. Every
# event is stored once, and the events n1 counted equal the events stored.
source "$(dirname "$0")/cluster_lib.sh"
source "$(dirname "$0")/pg_lib.sh"

start_pg
cluster_pg_cleanup() {
  local n
  for n in "${!NODE_PID[@]}"; do kill -KILL "${NODE_PID[$n]}" 2>/dev/null || true; done
  stop_pg
  cleanup
}
trap cluster_pg_cleanup EXIT

NODE_STORAGE_YAML="  backend: postgresql
  postgresql: {url: \"postgresql://seer@127.0.0.1:$PG_PORT/seerflow\"}"
NODE_CLUSTER_YAML="  snapshot_interval: 500ms"
start_three_nodes

TCP1=$(node_port n1 syslog/tcp)
# send_burst FROM TO: one sshd line per user/address pair, over TCP with `logger`.
send_burst() {
  local i
  for ((i = $1; i < $2; i++)); do
    echo "Failed password for user$i from 10.2.$((i / 200)).$((i % 200)) port $((40000 + i)) ssh2"
  done > "$WORK/burst.txt"
  logger --rfc3164 -n 127.0.0.1 -P "$TCP1" -T -t sshd -p auth.info -f "$WORK/burst.txt"
}
stored() { pg "select count(*) from events" 2> /dev/null || echo "?"; }

send_burst 0 300
EXPECTED=300
wait_for "events stored" "$EXPECTED" stored

# users_json FILE: every user entity with its live view (the owner's directory answers).
users_json() {
  : > "$1"
  local q
  for q in user1 user2 user3 user4 user5 user6 user7 user8 user9 user0; do
    api n1 "/api/entities?q=$q&limit=1000" >> "$1"
    echo >> "$1"
  done
}
# user_views FILE: "value node events actor" per distinct user, sorted.
user_views() {
  python3 - "$1" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    for e in json.loads(line)["entities"]:
        if e["type"] != "user" or not e["value"].startswith("user"):
            continue
        live = e.get("live") or {}
        seen[e["value"]] = f'{e["value"]} {live.get("node")} {live.get("events")} {live.get("actor")}'
print("\n".join(sorted(seen.values())))
PY
}

# Every user's actor has taken its event (a user whose actor has not yet is shown without one).
all_seen() {
  users_json "$WORK/before.json"
  user_views "$WORK/before.json" > "$WORK/before.txt"
  awk '$3 == 1' "$WORK/before.txt" | wc -l
}
wait_for "every user's actor took its event" 300 all_seen
awk '$2 == "n3" {print $1}' "$WORK/before.txt" > "$WORK/on_n3.txt"
on3=$(wc -l < "$WORK/on_n3.txt")
[[ $on3 -ge 30 ]] || cluster_fail "only $on3 of 300 users live on n3"

# n3 wrote the snapshots of its actors (entities and templates) within an interval or two.
n3_entities=$(json_get n3 "/api/actor?name=directory" "j['state']['entities']['known_ever']")
n3_snapshots() { pg "select count(*) from actor_snapshots where node = 'n3' and kind = 'entity'"; }
wait_for "n3's entity snapshots in the store" "$n3_entities" n3_snapshots
written=$(json_get n3 "/api/actor?name=directory" "j['state']['cluster']['snapshots_written']")
[[ $written -ge $n3_entities ]] || cluster_fail "n3 reports $written snapshots written, fewer than $n3_entities entities"
expect_eq "snapshots of users n3 owns" \
  "$(pg "select count(*) from actor_snapshots s join entities e on e.entity_key = s.key
         where s.kind = 'entity' and s.node = 'n3' and e.type = 'user'")" "$on3"
for n in n1 n2; do
  [[ $(pg "select count(*) from actor_snapshots where node = '$n'") -gt 0 ]] ||
    cluster_fail "$n wrote no snapshots"
done
echo "n3 owns $on3 users and wrote $n3_entities entity snapshots" >&2

# ---- kill -9 of n3 ---------------------------------------------------------------------------
kill -KILL "${NODE_PID[n3]}"
wait "${NODE_PID[n3]}" 2>/dev/null || true
unset "NODE_PID[n3]"
for n in n1 n2; do wait_for "$n dropped n3" "n1,n2" live $n; done
restored() {
  echo $(( $(json_get n1 "/api/actor?name=directory" "j['state']['cluster']['ids_restored']") + \
           $(json_get n2 "/api/actor?name=directory" "j['state']['cluster']['ids_restored']") ))
}
pending() {
  json_get "$1" "/api/actor?name=directory" "j['state']['cluster']['restores_pending']"
}
for n in n1 n2; do wait_for "$n read n3's snapshots" 0 pending $n; done
[[ $(restored) -ge $on3 ]] || cluster_fail "survivors restored $(restored) ids, n3 owned $on3 users"
grep -q "node n3 died: [0-9]* of its [0-9]* stored actor snapshots restored here" \
  "$WORK/n1/stderr.log" || cluster_fail "n1 did not log the restore"

# Before any new traffic: n3's users are on n1 or n2 already, with their one event.
users_json "$WORK/after_kill.json"
user_views "$WORK/after_kill.json" > "$WORK/after_kill.txt"
bad=$(grep -F -w -f "$WORK/on_n3.txt" "$WORK/after_kill.txt" | awk '$2 == "n3" || $3 != 1' || true)
[[ -z "$bad" ]] || cluster_fail "n3's users not restored (value node events actor): $bad"
expect_eq "n3's users found on the survivors" \
  "$(grep -F -w -f "$WORK/on_n3.txt" "$WORK/after_kill.txt" | wc -l)" "$on3"

# More traffic for every user: each counts on from its state, so two events, never one.
send_burst 0 300
EXPECTED=$((EXPECTED + 300))
wait_for "events stored after the kill" "$EXPECTED" stored
all_two() {
  users_json "$WORK/after.json"
  user_views "$WORK/after.json" > "$WORK/after.txt"
  awk '$3 == 2' "$WORK/after.txt" | wc -l
}
wait_for "every user shows two events" 300 all_two
bad=$(awk '$2 != "n1" && $2 != "n2"' "$WORK/after.txt")
[[ -z "$bad" ]] || cluster_fail "users not on a survivor: $bad"
fresh=$(( $(json_get n1 "/api/actor?name=directory" "j['state']['cluster']['ids_restored_fresh']") + \
          $(json_get n2 "/api/actor?name=directory" "j['state']['cluster']['ids_restored_fresh']") ))
echo "$on3 users of n3 restored on the survivors ($(restored) ids in all; $fresh waited and started fresh)" >&2

# Counted equals stored: n1's sources counted every event the store has.
counted=$(json_get n1 /api/health "j['counters']['source_events']")
expect_eq "events counted = events stored" "$counted" "$(stored)"

stop_node n2
stop_node n1
echo "PASS"
