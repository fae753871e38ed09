#!/usr/bin/env bash
# Crash safety of the store: `kill -9` of the running binary while a client streams syslog over
# TCP as fast as it can. Every event the store had acknowledged (committed: visible to another
# reader) before the kill is still there, the database passes SQLite's integrity check and the
# full-text index's own check against the events, and a restart on it opens cleanly (links
# left unfolded by the crash are folded), takes more events and stops in order.
source "$(dirname "$0")/lib.sh"

write_config "$WORK/seerflow.yaml"
start_seerflow "$WORK/seerflow.yaml"
TCP=$(endpoint_port syslog/tcp)
N=400000
# The sender reports how many lines it handed to the kernel before the connection broke.
python3 - "$TCP" "$N" > "$WORK/sent.txt" 2>/dev/null <<'PY' &
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
sent = 0
try:
    for start in range(1, n + 1, 1000):
        chunk = b"".join(b"<38>1 2026-11-21T10:00:00Z host%d sshd %d - - Failed password for user%d "
                         b"from 198.51.100.%d port %d ssh2 line %d\n"
                         % (i % 20, i % 9000, i % 300, i % 250, 1024 + i % 60000, i)
                         for i in range(start, min(n, start + 999) + 1))
        s.sendall(chunk)
        sent = min(n, start + 999)
except OSError:
    pass
print(sent, flush=True)
PY
SENDER=$!

# Wait until the store has acknowledged a good share of the load, then kill it mid-stream.
acked=0
for i in $(seq 1 600); do
  acked=$(db "select count(*) from events" 2>/dev/null || echo 0)
  [[ "$acked" -ge 60000 ]] && break
  kill -0 "$SEERFLOW_PID" 2>/dev/null || fail "seerflow exited under load"
  sleep 0.05
done
[[ "$acked" -ge 60000 ]] || fail "only $acked events stored after 30 s of load"
kill -KILL "$SEERFLOW_PID"
wait "$SEERFLOW_PID" 2>/dev/null || true
SEERFLOW_PID=""
wait "$SENDER" || true
sent=$(cat "$WORK/sent.txt")

stored=$(db "select count(*) from events")
echo "acknowledged before the kill: $acked, stored after it: $stored, sent: $sent" >&2
[[ "$stored" -ge "$acked" ]] || fail "stored $stored < acknowledged $acked"
expect_eq "integrity_check" "$(sqlite3 "$WORK/data/seerflow.db" 'PRAGMA integrity_check')" "ok"
expect_eq "distinct lines" "$(db "select count(distinct message) from events")" "$stored"
# Rows are the lines in order: a prefix of what was sent, without gaps.
expect_eq "no gaps" "$(db "select max(cast(substr(message, instr(message, 'line ') + 5) as integer)) from events")" "$stored"

# A restart on the crashed database: it opens, folds, takes new events and stops cleanly.
start_seerflow "$WORK/seerflow.yaml"
TCP=$(endpoint_port syslog/tcp)
logger --rfc5424 -n 127.0.0.1 -P "$TCP" -T -t sshd "after the crash: Accepted password for alice from 203.0.113.9 port 50000 ssh2"
wait_rows "select count(*) from events where message like 'after the crash%'" 1
# The full-text index (its own file, its own thread) catches up with the crashed run's events.
wait_text_index
stop_seerflow
grep -q 'ERROR' "$WORK/stderr.log" && fail "errors after the restart"
expect_eq "integrity_check after restart" "$(sqlite3 "$WORK/data/seerflow.db" 'PRAGMA integrity_check')" "ok"
check_text_index
expect_eq "links of the crashed run folded" \
  "$(db "select value from store_meta where name = 'folded_through_event_id'")" \
  "$(db "select max(id) from events")"
expect_eq "every event searchable" \
  "$("$SEERFLOW" query events --db "$WORK/data/seerflow.db" --search 'failed' --limit 0 --json | wc -l)" \
  "$stored"
echo "PASS store_crash ($acked acknowledged, $stored stored, $sent sent)"
