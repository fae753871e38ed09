# Shared helpers for the integration tests: start the real binary on free ports in a scratch
# directory, wait for it, read its endpoints, query its store, stop it.
set -euo pipefail

SEERFLOW=${SEERFLOW:?path to the seerflow binary}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seerflow-it.XXXXXX")
SEERFLOW_PID=""

cleanup() {
  if [[ -n "$SEERFLOW_PID" ]] && kill -0 "$SEERFLOW_PID" 2>/dev/null; then
    kill -KILL "$SEERFLOW_PID" 2>/dev/null || true
  fi
  if [[ "${KEEP_WORK:-0}" != 1 ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [[ -f "$WORK/stderr.log" ]]; then
    echo "---- seerflow stderr (last 40 lines) ----" >&2
    tail -n 40 "$WORK/stderr.log" >&2
  fi
  exit 1
}

# write_config FILE [extra yaml...]: a config on loopback with OS-chosen ports.
write_config() {
  local file=$1; shift
  cat > "$file" <<YAML
data_dir: $WORK/data
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
console: {bind: 127.0.0.1, port: 0}
storage:
  flush: 20ms
YAML
  for extra in "$@"; do printf '%s\n' "$extra" >> "$file"; done
}

start_seerflow() {
  "$SEERFLOW" start --config "$1" 2> "$WORK/stderr.log" &
  SEERFLOW_PID=$!
  local i
  for i in $(seq 1 300); do
    [[ -f "$WORK/data/endpoints.json" ]] && return 0
    kill -0 "$SEERFLOW_PID" 2>/dev/null || fail "seerflow exited during start"
    sleep 0.05
  done
  fail "seerflow did not become ready in 15 s"
}

endpoint_port() {  # endpoint_port syslog/udp
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(e["port"] for e in d["endpoints"] if e["protocol"]==sys.argv[2]))' \
    "$WORK/data/endpoints.json" "$1"
}

db() { sqlite3 -batch -noheader "$WORK/data/seerflow.db" "$@"; }

# wait_rows SQL EXPECTED: polls until the query answers EXPECTED (10 s).
wait_rows() {
  local sql=$1 expected=$2 got="" i
  for i in $(seq 1 200); do
    got=$(db "$sql" 2>/dev/null || true)
    [[ "$got" == "$expected" ]] && return 0
    sleep 0.05
  done
  fail "waited for [$sql] = $expected, got '$got'"
}

# wait_text_index [DB]: polls until the full-text index (DB-fts, filled by a thread at idle
# priority: on a busy machine it waits for spare CPU) covers every stored event (120 s).
wait_text_index() {
  local file=${1:-$WORK/data/seerflow.db} got="" i
  for i in $(seq 1 1200); do
    got=$(sqlite3 -batch -noheader "$file" "attach '$file-fts' as fts;
      select coalesce((select value from fts.fts_meta where name = 'indexed_through'), 0)
             >= coalesce((select max(id) from events), 0)" 2>/dev/null || true)
    [[ "$got" == "1" ]] && return 0
    sleep 0.1
  done
  fail "the full-text index of $file did not catch up"
}

# check_text_index [DB]: FTS5's integrity check on every part of DB's full-text index.
check_text_index() {
  local file=${1:-$WORK/data/seerflow.db} part
  for part in $(sqlite3 -batch -noheader "$file-fts" "select 'part_' || number from fts_parts"); do
    sqlite3 "$file-fts" "INSERT INTO $part($part) VALUES('integrity-check')" ||
      fail "full-text index part $part of $file is damaged"
  done
}

stop_seerflow() {
  kill -TERM "$SEERFLOW_PID"
  local rc=0
  wait "$SEERFLOW_PID" || rc=$?
  SEERFLOW_PID=""
  [[ $rc -eq 0 ]] || fail "seerflow exited with $rc after SIGTERM"
}

expect_eq() {  # expect_eq WHAT GOT EXPECTED
  [[ "$2" == "$3" ]] || fail "$1: expected '$3', got '$2'"
}
