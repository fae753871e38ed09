#!/usr/bin/env bash
# The real binary tailing a scratch directory: lines appended, a Java stack trace grouped into
# one event, rotation by rename (the old file gets more lines after the rename, then a new file
# takes its name), a symlink escaping the roots refused; every line stored exactly once (checked
# with sqlite3). Then kill -9 while a writer appends, restart: nothing lost and nothing stored
# twice (the store commits the read offsets with the events; file_tail_kill9 does it repeatedly).
source "$(dirname "$0")/lib.sh"

LOGS="$WORK/logs"
mkdir -p "$LOGS" "$WORK/outside"
BATCH=50
cat > "$WORK/seerflow.yaml" <<YAML
data_dir: $WORK/data
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
  files:
    enabled: true
    paths: [$LOGS/*.log]
    start_at: beginning
    poll_interval: 10ms
    rescan_interval: 50ms
    multiline:
      continuation_pattern: '^(\s|Caused by:)'
      flush_timeout: 100ms
pipeline:
  batch_size: $BATCH
storage:
  flush: 20ms
console: {bind: 127.0.0.1, port: 0}
YAML

# append FILE FROM TO: lines "tail-line NNNNN ..." numbered FROM..TO.
append() {
  local f=$1 i
  for ((i = $2; i <= $3; i++)); do printf 'tail-line %05d user=alice status=ok\n' "$i"; done >> "$f"
}
tail_lines() { db "select count(*) from events where source='files' and message like 'tail-line %'"; }
distinct_lines() {
  db "select count(distinct message) from events where source='files' and message like 'tail-line %'"
}

append "$LOGS/app.log" 1 120
echo "secret" > "$WORK/outside/secret.txt"
ln -s "$WORK/outside/secret.txt" "$LOGS/evil.log"

start_seerflow "$WORK/seerflow.yaml"
wait_rows "select count(*) from events where source='files' and message like 'tail-line %'" 120

# A Java stack trace is one event.
printf '%s\n' 'Exception in thread "main" java.lang.IllegalStateException: boom' \
  '	at com.example.App.run(App.java:42)' \
  'Caused by: java.io.IOException: disk full' \
  '	... 3 more' >> "$LOGS/app.log"
append "$LOGS/app.log" 121 200
wait_rows "select count(*) from events where source='files' and message like 'tail-line %'" 200
wait_rows "select count(*) from events where message like 'Exception in thread%Caused by: java.io.IOException: disk full%... 3 more'" 1

# Rotation by rename: the writer still appends to the renamed file, then a new file appears.
mv "$LOGS/app.log" "$LOGS/app.log.1"
append "$LOGS/app.log.1" 201 260
append "$LOGS/app.log" 261 400
wait_rows "select count(*) from events where source='files' and message like 'tail-line %'" 400
expect_eq "every line once after rotation" "$(distinct_lines)" 400
# Ordered per file: the renamed file's lines come before the new file's.
num="cast(substr(message, 11, 5) as integer)"
expect_eq "old file drained first" \
  "$(db "select (select max(id) from events where source='files' and $num between 201 and 260)
             < (select min(id) from events where source='files' and $num between 261 and 400)")" 1

# The symlink out of the roots was refused, loudly, and nothing of it was read.
grep -q "refusing $LOGS/evil.log: it resolves to $WORK/outside/secret.txt, outside the configured roots" \
  "$WORK/stderr.log" || fail "no refusal message for the escaping symlink"
expect_eq "secret not read" "$(db "select count(*) from events where message = 'secret'")" 0
[[ -f "$WORK/data/checkpoints/file-tail.json" ]] || fail "no checkpoint file"

# kill -9 while a writer appends; the writer goes on while the process is down.
( append "$LOGS/app.log" 401 1400 ) &
WRITER=$!
for i in $(seq 1 200); do
  [[ $(tail_lines) -ge 600 ]] && break
  sleep 0.01
done
kill -KILL "$SEERFLOW_PID"
wait "$SEERFLOW_PID" 2>/dev/null || true
SEERFLOW_PID=""
before=$(tail_lines)
wait "$WRITER"
append "$LOGS/app.log" 1401 1500
rm -f "$WORK/data/endpoints.json"

start_seerflow "$WORK/seerflow.yaml"
wait_rows "select count(distinct message) from events where source='files' and message like 'tail-line %'" 1500
sleep 0.3  # lets any stray re-read land before counting duplicates
total=$(tail_lines)
dups=$((total - 1500))
echo "stored before the kill: $before; after restart: $total rows for 1500 lines ($dups read twice)"
expect_eq "lines stored twice after kill -9" "$dups" 0

stop_seerflow
echo "PASS"
