#!/usr/bin/env bash
# Exactly once across kill -9, with the default file-tail settings: a writer appends lines to a
# tailed file at a steady pace while the store commits; seerflow is killed with SIGKILL several
# times at random moments and restarted each time. Every line ends up in the events table exactly
# once (checked with sqlite3): nothing lost, and no committed batch read and stored a second time,
# although the checkpoint file is written only every checkpoint_interval (1 s by default). The
# store commits each batch's read positions with its events (table tail_offsets).
source "$(dirname "$0")/lib.sh"

LOGS="$WORK/logs"
mkdir -p "$LOGS"
LINES=${LINES:-80000}
KILLS=${KILLS:-5}
: > "$LOGS/app.log"
# Only what the test needs is set: no checkpoint_interval, max_unsaved_batches, batch size,
# poll or flush settings.
cat > "$WORK/seerflow.yaml" <<YAML
data_dir: $WORK/data
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
  files:
    enabled: true
    paths: [$LOGS/*.log]
console: {bind: 127.0.0.1, port: 0}
YAML

lines() { db "select count(*) from events where source='files' and message like 'kill9-line %'" 2>/dev/null || echo 0; }
distinct_lines() {
  db "select count(distinct message) from events where source='files' and message like 'kill9-line %'"
}

# The writer: LINES lines, 500 every 100 ms (about 5,000 lines/s, 16 s), flushed as it goes.
python3 - "$LOGS/app.log" "$LINES" > "$WORK/writer.log" 2>&1 <<'PY' &
import sys, time
path, total = sys.argv[1], int(sys.argv[2])
with open(path, "a", buffering=1) as f:
    i = 1
    while i <= total:
        chunk = min(500, total - i + 1)
        f.write("".join(f"kill9-line {n:06d} user=bob action=read status=ok\n" for n in range(i, i + chunk)))
        f.flush()
        i += chunk
        time.sleep(0.1)
PY
WRITER=$!

start_seerflow "$WORK/seerflow.yaml"
for k in $(seq 1 "$KILLS"); do
  # Wait until this incarnation has stored something, then kill it a random moment later
  # (0-1.5 s: before, at and after its checkpoint writes), while the writer goes on.
  base=$(lines)
  for i in $(seq 1 400); do
    [[ $(lines) -gt $base ]] && break
    kill -0 "$SEERFLOW_PID" 2>/dev/null || fail "seerflow exited"
    sleep 0.025
  done
  ms=$((RANDOM % 1500))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -KILL "$SEERFLOW_PID"
  wait "$SEERFLOW_PID" 2>/dev/null || true
  SEERFLOW_PID=""
  echo "kill $k: $(lines) rows stored"
  cp "$WORK/stderr.log" "$WORK/stderr.$k.log"
  rm -f "$WORK/data/endpoints.json"
  start_seerflow "$WORK/seerflow.yaml"
done

wait "$WRITER" || fail "the writer failed: $(cat "$WORK/writer.log")"
for i in $(seq 1 1200); do
  [[ $(distinct_lines) -ge $LINES ]] && break
  kill -0 "$SEERFLOW_PID" 2>/dev/null || fail "seerflow exited"
  sleep 0.05
done
stop_seerflow  # everything read is committed; a duplicate would now be in the table
total=$(lines)
distinct=$(distinct_lines)
echo "lines written $LINES; rows $total; distinct $distinct"
expect_eq "every line stored (distinct)" "$distinct" "$LINES"
expect_eq "every line stored once (rows)" "$total" "$LINES"
grep -q "resuming .* from the offsets the store committed after the checkpoint file" \
  "$WORK"/stderr.*.log "$WORK/stderr.log" ||
  echo "note: no restart needed the store's offsets this time (every kill came after a checkpoint)"
echo "PASS"
