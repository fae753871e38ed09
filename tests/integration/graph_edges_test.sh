#!/usr/bin/env bash
# The entity graph on real logs: the OpenSSH and Linux samples of loghub go through
# `seerflow start --stdin`; at shutdown the graph actor stores its relations in graph_edges.
# Every accepted SSH login must be a user -> ip authenticated_from and a user -> host
# logged_into relation, every PAM "session opened for user X" a logged_into relation of X to
# its host, with the counts the log itself gives (computed here with awk, not hard-coded);
# failed and invalid logins must give no authentication relation.
source "$(dirname "$0")/lib.sh"

DATA=${SEERFLOW_SHARED_DATA:-}/loghub
SSH_LOG=$DATA/OpenSSH/OpenSSH_2k.log
LINUX_LOG=$DATA/Linux/Linux_2k.log
if [[ ! -f "$SSH_LOG" || ! -f "$LINUX_LOG" ]]; then
  echo "loghub samples not found under $DATA: skipping" >&2
  exit 77
fi

write_config "$WORK/seerflow.yaml" "graph: {interval: 100ms}" "detect: {enabled: false}"
# awk ends every line (a sample may lack its final newline).
awk 1 "$SSH_LOG" "$LINUX_LOG" > "$WORK/input.log"
lines=$(wc -l < "$WORK/input.log")
mkfifo "$WORK/in"
"$SEERFLOW" start --config "$WORK/seerflow.yaml" --stdin < "$WORK/in" 2> "$WORK/stderr.log" &
SEERFLOW_PID=$!
exec 3> "$WORK/in"
for i in $(seq 1 300); do
  [[ -f "$WORK/data/endpoints.json" ]] && break
  sleep 0.05
done
cat "$WORK/input.log" >&3
exec 3>&-
wait_rows "select (select count(*) from events) + (select count(*) from rejected)" "$lines"
stop_seerflow

# Expected relations from the log: "user|to|count" lines, sorted.
awk '/sshd\[[0-9]+\]: Accepted [a-z]+ for [^ ]+ from [0-9.]+ / {
       for (i = 1; i <= NF; i++) { if ($i == "for") u = $(i+1); if ($i == "from") ip = $(i+1) }
       n[u "|" ip]++ }
     END { for (k in n) print k "|" n[k] }' "$SSH_LOG" | sort > "$WORK/expected_auth"
[[ -s "$WORK/expected_auth" ]] || fail "no accepted login in $SSH_LOG"
awk '/sshd\[[0-9]+\]: Accepted [a-z]+ for [^ ]+ from / {
       for (i = 1; i <= NF; i++) if ($i == "for") u = $(i+1); n[u "|" tolower($4)]++ }
     / session opened for user [^ ]+ / {
       for (i = 1; i <= NF; i++) if ($i == "user") u = $(i+1); n[u "|" tolower($4)]++ }
     END { for (k in n) print k "|" n[k] }' "$SSH_LOG" "$LINUX_LOG" | sort > "$WORK/expected_login"

db "select from_value || '|' || to_value || '|' || count from graph_edges
    where edge_type = 'authenticated_from' order by 1" | sort > "$WORK/got_auth"
db "select from_value || '|' || to_value || '|' || count from graph_edges
    where edge_type = 'logged_into' order by 1" | sort > "$WORK/got_login"

diff -u "$WORK/expected_auth" "$WORK/got_auth" || fail "authenticated_from edges differ"
diff -u "$WORK/expected_login" "$WORK/got_login" || fail "logged_into edges differ"
expect_eq "edge types are user -> ip" \
  "$(db "select distinct from_type || '>' || to_type from graph_edges where edge_type = 'authenticated_from'")" \
  "user>ip"
# Failed and invalid logins (hundreds in the sample) are in neither expected list: the diffs
# above prove none of them became a relation. The final snapshot reached the store.
expect_eq "graph snapshot stored" "$(db "select count(*) from model_state where name = 'graph'")" 1

# `seerflow query graph` reads the same relations (JSON lines), filtered by entity and type.
first=$(head -n 1 "$WORK/expected_auth")
user=${first%%|*}
rest=${first#*|}
ip=${rest%%|*}
count=${rest#*|}
got=$("$SEERFLOW" query graph --db "$WORK/data/seerflow.db" --entity "ip:$ip" \
        --type authenticated_from --json)
expect_eq "query graph --entity ip:$ip" \
  "$(python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin]; print(len(r), r[0]["from"]["value"], r[0]["count"])' <<< "$got")" \
  "1 $user $count"
"$SEERFLOW" query graph --db "$WORK/data/seerflow.db" --entity "user:$user" > "$WORK/table.txt"
grep -q "authenticated_from" "$WORK/table.txt" || fail "query graph table lacks the relation"
echo "PASS"
