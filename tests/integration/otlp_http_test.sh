#!/usr/bin/env bash
# OTLP/HTTP against the real binary with curl: JSON and gzip bodies are stored, a record without
# a body is reported in partial_success while its neighbours are stored, and malformed requests
# get their status (415 wrong content type or encoding, 400 bad JSON / protobuf / gzip, 413
# oversized, 405 / 404 wrong method or path) without disturbing the records that follow.
source "$(dirname "$0")/lib.sh"

cat > "$WORK/seerflow.yaml" <<YAML
data_dir: $WORK/data
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0}
    tcp: {bind: 127.0.0.1, port: 0}
  otlp:
    max_request_bytes: 64KiB
    http: {enabled: true, bind: 127.0.0.1, port: 0}
storage:
  flush: 20ms
console: {bind: 127.0.0.1, port: 0}
YAML
start_seerflow "$WORK/seerflow.yaml"
URL="http://127.0.0.1:$(endpoint_port otlp/http)/v1/logs"

post() {  # post CONTENT_TYPE BODY_FILE [extra curl args...]: prints "STATUS BODY"
  local type=$1 file=$2; shift 2
  curl -sS --noproxy '*' -o "$WORK/resp" -w '%{http_code}' -X POST -H "Content-Type: $type" \
    --data-binary "@$file" "$@" "$URL"
  printf ' %s' "$(cat "$WORK/resp")"
}

record() {  # record BODY: one OTLP/JSON log record with a string body
  printf '{"timeUnixNano":"1768473000250000000","severityNumber":13,"body":{"stringValue":"%s"},"attributes":[{"key":"user.name","value":{"stringValue":"carol"}}]}' "$1"
}
request() {  # request RECORD...: an ExportLogsServiceRequest in OTLP/JSON
  local IFS=,
  printf '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"curl-app"}}]},"scopeLogs":[{"logRecords":[%s]}]}]}' "$*"
}

request "$(record "plain json one")" > "$WORK/one.json"
expect_eq "json" "$(post application/json "$WORK/one.json")" "200 {}"

request "$(record "gzipped json two")" | gzip -c > "$WORK/two.json.gz"
expect_eq "gzip" "$(post application/json "$WORK/two.json.gz" -H 'Content-Encoding: gzip')" "200 {}"

request "$(record "partial three")" '{"severityText":"no body here"}' > "$WORK/partial.json"
got=$(post 'application/json; charset=utf-8' "$WORK/partial.json")
[[ "$got" == '200 {"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"1 log record rejected (no_body: 1)'* ]] ||
  fail "partial success: got '$got'"

expect_eq "wrong content type" "$(post text/plain "$WORK/one.json" | cut -d' ' -f1)" "415"
expect_eq "wrong encoding" "$(post application/json "$WORK/one.json" -H 'Content-Encoding: br' | cut -d' ' -f1)" "415"
printf '{"resourceLogs": [' > "$WORK/bad.json"
expect_eq "bad json" "$(post application/json "$WORK/bad.json" | cut -d' ' -f1)" "400"
printf '\x0a\xff\xff\xff\xff\x0f' > "$WORK/bad.pb"
expect_eq "bad protobuf" "$(post application/x-protobuf "$WORK/bad.pb" | cut -d' ' -f1)" "400"
expect_eq "bad gzip" "$(post application/json "$WORK/one.json" -H 'Content-Encoding: gzip' | cut -d' ' -f1)" "400"
head -c 100000 /dev/zero | tr '\0' 'x' > "$WORK/big"
expect_eq "oversized" "$(post application/json "$WORK/big" | cut -d' ' -f1)" "413"
# A gzip body inflating beyond the limit: refused after inflating, not stored.
head -c 10000000 /dev/zero | gzip -c > "$WORK/bomb.gz"
expect_eq "gzip bomb" "$(post application/x-protobuf "$WORK/bomb.gz" -H 'Content-Encoding: gzip' | cut -d' ' -f1)" "413"
expect_eq "GET" "$(curl -sS --noproxy '*' -o /dev/null -w '%{http_code}' "$URL")" "405"
expect_eq "other path" "$(curl -sS --noproxy '*' -o /dev/null -w '%{http_code}' -X POST --data x "${URL%/v1/logs}/v1/traces")" "404"

request "$(record "after the noise four")" > "$WORK/four.json"
expect_eq "json after errors" "$(post application/json "$WORK/four.json")" "200 {}"

wait_rows "select count(*) from events where source = 'otlp'" 4
expect_eq "stored" "$(db "select message, app, severity, json_extract(fields, '\$.\"user.name\"')
                          from events where source = 'otlp' order by seq")" \
"plain json one|curl-app|4|carol
gzipped json two|curl-app|4|carol
partial three|curl-app|4|carol
after the noise four|curl-app|4|carol"

stop_seerflow

# TLS from config (receivers.otlp.tls_cert_file / tls_key_file): HTTPS is served and stored, plain
# HTTP to the same port gets no answer.
command -v openssl > /dev/null || fail "openssl is not installed"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2> /dev/null || fail "openssl req"
python3 - "$WORK/seerflow.yaml" "$WORK/cert.pem" "$WORK/key.pem" <<'PY'
import sys
path, cert, key = sys.argv[1:]
text = open(path).read().replace("    max_request_bytes: 64KiB\n",
    f"    max_request_bytes: 64KiB\n    tls_cert_file: {cert}\n    tls_key_file: {key}\n")
open(path, "w").write(text)
PY
grep -q tls_cert_file "$WORK/seerflow.yaml" || fail "TLS keys not written"
start_seerflow "$WORK/seerflow.yaml"
TLS_URL="https://127.0.0.1:$(endpoint_port otlp/http)/v1/logs"
request "$(record "over tls five")" > "$WORK/five.json"
expect_eq "https" "$(curl -sS --noproxy '*' --cacert "$WORK/cert.pem" -o /dev/null -w '%{http_code}' \
  -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/five.json" "$TLS_URL")" "200"
if curl -sS --noproxy '*' -m 5 -o /dev/null -X POST -H 'Content-Type: application/json' \
  --data-binary "@$WORK/five.json" "${TLS_URL/https:/http:}" 2> /dev/null; then
  fail "plain HTTP was answered on the TLS port"
fi
wait_rows "select count(*) from events where source = 'otlp' and message = 'over tls five'" 1
stop_seerflow
echo "PASS"
