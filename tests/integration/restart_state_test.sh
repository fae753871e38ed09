#!/usr/bin/env bash
# A restarted process keeps its model state: the template miner is saved in the store at
# shutdown and restored at start, so a template keeps its id across restarts and event numbers
# continue instead of starting again.
source "$(dirname "$0")/lib.sh"

write_config "$WORK/seerflow.yaml"
start_seerflow "$WORK/seerflow.yaml"
TCP=$(endpoint_port syslog/tcp)
for u in root admin oracle guest; do
  logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t sshd "Failed password for $u from 10.0.0.9 port 4242 ssh2"
done
wait_rows "select count(*) from events" 4
stop_seerflow
first_id=$(db "select template_id from events where seq = 4")
[[ -n "$first_id" ]] || fail "no template id in the first run"
[[ $(db "select count(*) from model_state where name = 'source/syslog'") == 1 ]] || fail "no saved model state"

rm -f "$WORK/data/endpoints.json"
start_seerflow "$WORK/seerflow.yaml"
# The source reads its saved state from the store as it starts (holding its mailbox until the
# answer is in), which may finish just after the receivers report ready.
for i in $(seq 1 100); do
  grep -q "restored model state from the store" "$WORK/stderr.log" && break
  sleep 0.05
done
grep -q "restored model state from the store" "$WORK/stderr.log" || fail "state not restored"
TCP=$(endpoint_port syslog/tcp)
# A user the first run never saw: a fresh miner would start a new template (and id) for it.
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t sshd "Failed password for zed from 10.0.0.8 port 4243 ssh2"
wait_rows "select count(*) from events" 5
expect_eq "template id after the restart" "$(db "select template_id from events where message like '%zed%'")" "$first_id"
expect_eq "event numbers continue" "$(db "select seq from events where message like '%zed%'")" "5"
stop_seerflow
echo "PASS"
