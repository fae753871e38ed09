#!/usr/bin/env bash
# The OpenTelemetry JavaScript SDK's log exporters (from the npm registry) send logs to the real
# binary over OTLP/gRPC, OTLP/HTTP protobuf and OTLP/HTTP JSON; sqlite3 then checks that the
# stored events carry the body, attributes, resource, scope, severity, time and trace id.
# Then @grpc/grpc-js calls Export with bytes that are not protobuf: INVALID_ARGUMENT, counted as
# rejected (bad_protobuf) in the receiver's inspect view, /metrics and the shutdown summary; and
# with a message over receivers.otlp.max_request_bytes: RESOURCE_EXHAUSTED, counted as rejected
# (oversized) in the same three places.
# The SDK is installed once into the build tree (OTEL_NPM_DIR) and re-used offline afterwards;
# when npm cannot fetch it the test fails: it never skips silently.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
NPM_DIR=${OTEL_NPM_DIR:?directory for the npm install of the OpenTelemetry SDK}
KINDS=${OTLP_KINDS:-grpc proto json}

command -v node >/dev/null || fail "node is not installed (deploy/install-deps.sh installs nodejs and npm)"
command -v npm >/dev/null || fail "npm is not installed (deploy/install-deps.sh installs nodejs and npm)"
mkdir -p "$NPM_DIR"
if ! cmp -s "$HERE/otlp_sdk/package.json" "$NPM_DIR/package.json" ||
   [[ ! -d "$NPM_DIR/node_modules/@opentelemetry/sdk-logs" ]]; then
  cp "$HERE/otlp_sdk/package.json" "$NPM_DIR/package.json"
  (cd "$NPM_DIR" && npm install --no-audit --no-fund --loglevel=error > "$WORK/npm.log" 2>&1) ||
    { cat "$WORK/npm.log" >&2; rm -f "$NPM_DIR/package.json";
      fail "npm install of the OpenTelemetry JS SDK failed (is the npm registry reachable?)"; }
fi
cp "$HERE/otlp_sdk/send_logs.mjs" "$HERE/otlp_sdk/send_garbage.mjs" \
  "$HERE/otlp_sdk/send_oversized.mjs" "$NPM_DIR/"

cat > "$WORK/seerflow.yaml" <<YAML
data_dir: $WORK/data
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
  otlp:
    grpc: {enabled: true, bind: 127.0.0.1, port: 0}
    http: {enabled: true, bind: 127.0.0.1, port: 0}
    max_request_bytes: 64KiB
storage:
  flush: 20ms
console: {bind: 127.0.0.1, port: 0}
YAML
start_seerflow "$WORK/seerflow.yaml"

TAG="run$$"
for kind in $KINDS; do
  case $kind in
    grpc) url="http://127.0.0.1:$(endpoint_port otlp/grpc)" ;;
    proto | json) url="http://127.0.0.1:$(endpoint_port otlp/http)/v1/logs" ;;
  esac
  (cd "$NPM_DIR" && node send_logs.mjs "$kind" "$url" "$TAG") > "$WORK/node-$kind.log" 2>&1 ||
    { cat "$WORK/node-$kind.log" >&2; fail "the $kind exporter failed"; }

  wait_rows "select count(*) from events where source = 'otlp' and (message like '%via $kind $TAG'
             or json_extract(fields, '\$.\"body.tag\"') = '$kind $TAG')" 2
  f() { printf "json_extract(fields, '\$.\"%s\"')" "$1"; }
  got=$(db "select message, host, app, severity, time_ns, time_from_log, $(f user.name),
                   $(f http.response.status_code), $(f order.id), $(f trace_id), $(f span_id),
                   $(f resource.service.name), $(f resource.deployment.environment),
                   $(f scope.name), $(f scope.version), $(f severity_text)
            from events where message like '%via $kind $TAG'")
  expect_eq "$kind: first record" "$got" \
    "payment declined for order 1001 via $kind $TAG|otel-host-1|checkout-$kind|4|1768473000250000000|1|alice|402|1001|4bf92f3577b34da6a3ce929d0e0e4736|00f067aa0ba902b7|checkout-$kind|test|shop.orders|2.1.0|WARN"
  got=$(db "select message, severity, $(f body.event), $(f body.amount), $(f user.name),
                   $(f trace_id)
            from events where $(f body.tag) = '$kind $TAG'")
  expect_eq "$kind: structured body" "$got" \
    "{\"event\":\"refund\",\"amount\":12.5,\"tag\":\"$kind $TAG\"}|3|refund|12.5|bob|4bf92f3577b34da6a3ce929d0e0e4736"
done

if [[ " $KINDS " == *" grpc "* ]]; then
  (cd "$NPM_DIR" && node send_garbage.mjs "127.0.0.1:$(endpoint_port otlp/grpc)") \
    > "$WORK/garbage.log" 2>&1 || { cat "$WORK/garbage.log" >&2; fail "send_garbage.mjs failed"; }
  expect_eq "garbage answered INVALID_ARGUMENT" "$(cut -d: -f1 "$WORK/garbage.log")" \
    "3 bad_protobuf
3 bad_protobuf
3 bad_protobuf"
  TOKEN=$(cat "$WORK/data/console.token")
  BASE="http://127.0.0.1:$(endpoint_port console/http)"
  curl -sS --noproxy '*' -H "Authorization: Bearer $TOKEN" "$BASE/api/actor?name=otlp-grpc" \
    > "$WORK/inspect.json"
  expect_eq "inspect: rejected bad_protobuf" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state"]["records_rejected"]["bad_protobuf"])' "$WORK/inspect.json")" 3
  curl -sS --noproxy '*' -H "Authorization: Bearer $TOKEN" "$BASE/metrics" > "$WORK/metrics.txt"
  grep -E '^seerflow_records_rejected_total\{.*receiver="otlp-grpc".*\} 3$' "$WORK/metrics.txt" \
    > "$WORK/metrics.hit" || fail "bad_protobuf not in /metrics: $(grep otlp-grpc "$WORK/metrics.txt")"
  # Over max_request_bytes (64 KiB): the status gRPC gives, and counted as rejected.
  (cd "$NPM_DIR" && node send_oversized.mjs "127.0.0.1:$(endpoint_port otlp/grpc)" 100000) \
    > "$WORK/oversized.log" 2>&1 || { cat "$WORK/oversized.log" >&2; fail "send_oversized.mjs failed"; }
  expect_eq "oversized answered RESOURCE_EXHAUSTED" "$(cat "$WORK/oversized.log")" \
    "8 oversized: request of 100000 bytes exceeds max_request_bytes 65536"
  curl -sS --noproxy '*' -H "Authorization: Bearer $TOKEN" "$BASE/api/actor?name=otlp-grpc" \
    > "$WORK/inspect2.json"
  expect_eq "inspect: rejected oversized" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state"]["records_rejected"]["oversized"])' "$WORK/inspect2.json")" 1
  curl -sS --noproxy '*' -H "Authorization: Bearer $TOKEN" "$BASE/metrics" > "$WORK/metrics2.txt"
  grep -E '^seerflow_records_rejected_total\{.*reason="oversized".*receiver="otlp-grpc".*\} 1$|^seerflow_records_rejected_total\{.*receiver="otlp-grpc".*reason="oversized".*\} 1$' \
    "$WORK/metrics2.txt" > "$WORK/metrics2.hit" ||
    fail "oversized not in /metrics: $(grep otlp-grpc "$WORK/metrics2.txt")"
  # The receiver still serves real exporters after the garbage.
  (cd "$NPM_DIR" && node send_logs.mjs grpc "http://127.0.0.1:$(endpoint_port otlp/grpc)" "after$TAG") \
    > "$WORK/node-after.log" 2>&1 || { cat "$WORK/node-after.log" >&2; fail "export after garbage failed"; }
  wait_rows "select count(*) from events where message like '%via grpc after$TAG'" 1
fi

stop_seerflow
if [[ " $KINDS " == *" grpc "* ]]; then
  summary=$(sed -n 's/^summary-json: //p' "$WORK/stderr.log")
  expect_eq "summary: rejected" \
    "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rejected"])' "$summary")" 4
fi
echo "PASS"
