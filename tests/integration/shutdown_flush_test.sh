#!/usr/bin/env bash
# Ordered shutdown loses nothing: 20,000 lines sent over TCP as fast as possible, SIGTERM the
# moment the sender has finished (rows still in kernel buffers, in the pipeline and in the
# store's write buffer, whose timer is 10 s), and every line is in the database afterwards.
# Then a second SIGTERM during a shutdown that is kept busy exits at once with code 130.
source "$(dirname "$0")/lib.sh"

config() {  # config FILE
  cat > "$1" <<YAML
data_dir: $WORK/data
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
storage:
  flush: 10s
console: {bind: 127.0.0.1, port: 0}
YAML
}

# --- 1. everything sent before SIGTERM is stored ---------------------------------------------
config "$WORK/seerflow.yaml"
start_seerflow "$WORK/seerflow.yaml"
TCP=$(endpoint_port syslog/tcp)
N=20000
python3 - "$TCP" "$N" <<'PY' || fail "sender failed"
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
data = b"".join(b"<14>1 2024-03-01T10:00:00Z host%d app 1 - - shutdown flush line %d of the test\n"
                % (i % 50, i) for i in range(1, n + 1))
s = socket.create_connection(("127.0.0.1", port))
s.sendall(data)
s.close()
PY
kill -TERM "$SEERFLOW_PID"
rc=0
wait "$SEERFLOW_PID" || rc=$?
SEERFLOW_PID=""
expect_eq "exit code after SIGTERM" "$rc" 0
expect_eq "rows" "$(db "select count(*) from events")" "$N"
expect_eq "distinct lines" "$(db "select count(distinct message) from events")" "$N"
expect_eq "first and last line" \
  "$(db "select min(cast(substr(message, 21) as integer)) || ' ' || max(cast(substr(message, 21) as integer)) from events")" \
  "1 $N"
grep -q "^session summary: events processed $N, .* dropped 0, rejected 0, " "$WORK/stderr.log" ||
  fail "summary: $(grep 'session summary' "$WORK/stderr.log")"
summary=$(sed -n 's/^summary-json: //p' "$WORK/stderr.log")
expect_eq "summary-json" \
  "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["events"], d["dropped"], d["rejected"])' "$summary")" \
  "$N 0 0"
grep -q "\[store\] closing: $N events in " "$WORK/stderr.log" || fail "store closing line"
grep -q 'WARN\|ERROR' "$WORK/stderr.log" && fail "warnings or errors during the run"
[[ ! -e "$WORK/data/endpoints.json" ]] || fail "endpoints.json left behind"

# --- 2. a second SIGTERM during shutdown exits at once with 130 -------------------------------
# A client that keeps sending keeps the TCP receiver reading during its stop (it reads on until
# its peers are quiet, for 5 s at most): the shutdown stays busy long enough to interrupt.
rm -rf "$WORK/data"
start_seerflow "$WORK/seerflow.yaml"
TCP=$(endpoint_port syslog/tcp)
python3 - "$TCP" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
deadline = time.time() + 20
i = 0
try:
    while time.time() < deadline:
        i += 1
        s.sendall(b"<14>1 2024-03-01T10:00:00Z h app 1 - - trickle %d\n" % i)
        time.sleep(0.01)
except OSError:
    pass  # the server went away
PY
TRICKLE=$!
wait_rows "select count(*) > 0 from events" 1
kill -TERM "$SEERFLOW_PID"
for _ in $(seq 1 100); do
  grep -q 'received SIGTERM; shutting down in order' "$WORK/stderr.log" && break
  sleep 0.05
done
grep -q 'received SIGTERM; shutting down in order' "$WORK/stderr.log" || fail "first SIGTERM not seen"
sleep 0.3
kill -0 "$SEERFLOW_PID" 2>/dev/null || fail "the shutdown finished before the second SIGTERM"
kill -TERM "$SEERFLOW_PID"
rc=0
wait "$SEERFLOW_PID" || rc=$?
SEERFLOW_PID=""
kill "$TRICKLE" 2>/dev/null || true
wait "$TRICKLE" 2>/dev/null || true
expect_eq "exit code after a second SIGTERM" "$rc" 130
grep -q 'second SIGTERM: exiting without flushing' "$WORK/stderr.log" || fail "no message for the second SIGTERM"
# At once: the ordered shutdown did not finish (the store never closed, no summary).
grep -q '\[store\] closing:' "$WORK/stderr.log" && fail "the store closed: the shutdown was not interrupted"
grep -q '^session summary' "$WORK/stderr.log" && fail "a summary was printed: the shutdown was not interrupted"
echo "PASS"
