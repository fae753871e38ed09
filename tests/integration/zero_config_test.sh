#!/usr/bin/env bash
# `seerflow start` with no configuration at all: the data directory defaults to
# ~/.local/share/seerflow, syslog is received on UDP 5514 and TCP 5601 on every interface, and a
# `logger` line is stored in the default database. Uses the fixed default ports, so it holds the
# CTest resource lock `default_ports`, and skips (exit 77) when something else on the machine
# holds them.
source "$(dirname "$0")/lib.sh"

ports_free() {
  python3 - <<'PY'
import socket, sys
try:
    for kind, port in ((socket.SOCK_DGRAM, 5514), (socket.SOCK_STREAM, 5601), (socket.SOCK_STREAM, 8090)):
        s = socket.socket(socket.AF_INET, kind)
        if kind == socket.SOCK_STREAM:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.close()
except OSError as e:
    print(f"{e.strerror}", file=sys.stderr)
    sys.exit(1)
PY
}
skip() {
  echo "SKIP: $*" >&2
  exit 77
}
ports_free || skip "UDP 5514, TCP 5601 or TCP 8090 is in use by another program on this machine"

HOME_DIR="$WORK/home"
DATA="$HOME_DIR/.local/share/seerflow"
mkdir -p "$HOME_DIR" "$WORK/cwd"
(cd "$WORK/cwd" && HOME="$HOME_DIR" SEERFLOW_DATA_DIR= XDG_DATA_HOME= exec "$SEERFLOW" start) \
  2> "$WORK/stderr.log" &
SEERFLOW_PID=$!
for _ in $(seq 1 300); do
  [[ -f "$DATA/endpoints.json" ]] && break
  kill -0 "$SEERFLOW_PID" 2>/dev/null || fail "seerflow exited during start"
  # Taken between the check above and the bind: not this test's failure.
  grep -q 'Address already in use' "$WORK/stderr.log" && skip "a default port was taken meanwhile"
  sleep 0.05
done
[[ -f "$DATA/endpoints.json" ]] || fail "no $DATA/endpoints.json after 15 s"

expect_eq "endpoints.json" "$(python3 - "$DATA/endpoints.json" "$SEERFLOW_PID" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pid"] == int(sys.argv[2]), f"pid {d['pid']} is not {sys.argv[2]}"
for e in sorted(d["endpoints"], key=lambda e: e["protocol"]):
    print(e["receiver"], e["protocol"], e["address"], e["port"])
PY
)" "console console/http 127.0.0.1 8090
syslog-tcp syslog/tcp 0.0.0.0 5601
syslog-udp syslog/udp 0.0.0.0 5514"
grep -q 'config: built-in defaults; data directory: '"$DATA"'$' "$WORK/stderr.log" ||
  fail "start line: $(grep 'starting' "$WORK/stderr.log")"

logger --rfc5424 -n 127.0.0.1 -P 5514 -d -t zero "zero config over udp"
logger --rfc3164 -n 127.0.0.1 -P 5601 -T -t zero "zero config over tcp"
ddb() { sqlite3 -batch -noheader "$DATA/seerflow.db" "$@"; }
got=""
for _ in $(seq 1 200); do
  got=$(ddb "select count(*) from events where app = 'zero'" 2>/dev/null || true)
  [[ "$got" == 2 ]] && break
  sleep 0.05
done
expect_eq "rows in the default database" "$got" 2
expect_eq "messages" "$(ddb "select message from events order by message")" \
  "zero config over tcp
zero config over udp"

stop_seerflow
grep -q '^session summary: events processed 2, ' "$WORK/stderr.log" || fail "summary"
[[ ! -e "$DATA/endpoints.json" ]] || fail "endpoints.json left behind"
# Nothing was written anywhere else: not in the working directory (./seerflow-data is only the
# last resort, without HOME).
expect_eq "files in the working directory" "$(ls -A "$WORK/cwd")" ""
expect_eq "files in the data directory" "$(cd "$DATA" && ls | grep -v '^seerflow.db-' | sort | tr '\n' ' ')" \
  "console.token seerflow.db "
echo "PASS"
