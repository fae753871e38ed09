#!/usr/bin/env bash
# `seerflow start --stdin`: lines piped into the agent are stored as they arrive (the pipe stays
# open, so nothing waits for end of input), beside the network receivers; an unknown
# --stdin-source is refused at start.
source "$(dirname "$0")/lib.sh"

write_config "$WORK/seerflow.yaml"
mkfifo "$WORK/in"
"$SEERFLOW" start --config "$WORK/seerflow.yaml" --stdin --stdin-format raw \
  < "$WORK/in" 2> "$WORK/stderr.log" &
SEERFLOW_PID=$!
exec 3> "$WORK/in"  # the writer end stays open: a stream, not a file
for i in $(seq 1 300); do
  [[ -f "$WORK/data/endpoints.json" ]] && break
  sleep 0.05
done
printf 'stdin line %03d user=carol\n' $(seq 1 100) >&3
wait_rows "select count(*) from events where message like 'stdin line %'" 100
printf 'stdin line %03d user=carol\n' $(seq 101 150) >&3
wait_rows "select count(distinct message) from events where message like 'stdin line %'" 150
exec 3>&-
grep -q "reading stdin (raw) into source 'syslog'" "$WORK/stderr.log" || fail "no stdin start line"
stop_seerflow
grep -q "end of input after 150 lines" "$WORK/stderr.log" || fail "stdin end line missing"

set +e
"$SEERFLOW" start --config "$WORK/seerflow.yaml" --stdin --stdin-source nosuch \
  < /dev/null 2> "$WORK/stderr2.log"
rc=$?
set -e
expect_eq "unknown stdin source exit code" "$rc" 1
grep -q "no source actor named 'nosuch'" "$WORK/stderr2.log" || fail "no message for nosuch"
echo "PASS"
