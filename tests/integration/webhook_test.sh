# Webhooks against the real binary with curl: a GitHub-style signed push (good and bad
# signature), bearer tokens, a Kubernetes EventList, a form body, and the refusals (oversized,
# bad JSON, wrong content type, unknown path, slowloris, half-close); stored events are read
# back with sqlite3. Then the same receiver over HTTPS.
source "$(dirname "$0")/lib.sh"

command -v curl > /dev/null || { echo "curl not installed"; exit 77; }
command -v openssl > /dev/null || { echo "openssl not installed"; exit 77; }

webhook_yaml() {  # webhook_yaml [tls lines...]
  cat <<YAML
  webhooks:
    enabled: true
    bind: 127.0.0.1
    port: 0
    max_body: 64KiB
    header_timeout: 500ms
$(for l in "$@"; do printf '    %s\n' "$l"; done)
    endpoints:
      - path: /hooks/github
        auth: hmac
        secret: It's a Secret to Everybody
        message: "push to {repository.full_name} by {pusher.name}: {head_commit.message}"
        user: sender.login
        timestamp: head_commit.timestamp
        fields: {repo: repository.full_name, first_author: commits.0.author.name}
      - path: /hooks/k8s
        auth: bearer
        token: k8s-token-123
        records: items
        message: "{reason}: {message}"
        host: source.host
        app: involvedObject.name
        severity: type
        timestamp: lastTimestamp
        fields: {namespace: involvedObject.namespace}
      - path: /hooks/form
        message: msg
        host: host
YAML
}

CONFIG="$WORK/seerflow.yaml"
write_config "$CONFIG"
# write_config ends inside `receivers:`'s siblings; put the webhooks section under receivers.
python3 - "$CONFIG" "$(webhook_yaml)" <<'PY'
import sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
text = text.replace("receivers:\n", "receivers:\n" + section + "\n", 1)
open(path, "w").write(text)
PY
start_seerflow "$CONFIG"
PORT=$(endpoint_port webhook/http)
URL="http://127.0.0.1:$PORT"

# status METHOD-ARGS...: the HTTP status curl got.
status() { curl -s --noproxy '*' -o "$WORK/body" -w '%{http_code}' "$@"; }

cat > "$WORK/push.json" <<'JSON'
{"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246",
 "repository":{"id":1296269,"name":"api","full_name":"acme/api","private":true},
 "pusher":{"name":"mallory","email":"mallory@example.com"},
 "sender":{"login":"mallory","id":6752317},
 "head_commit":{"id":"a1b2c3","message":"disable branch protection","timestamp":"2026-11-21T14:03:07+01:00"},
 "commits":[{"id":"a1b2c3","author":{"name":"Mallory M","email":"mallory@example.com"}}]}
JSON
SECRET="It's a Secret to Everybody"
SIG="sha256=$(openssl dgst -sha256 -hmac "$SECRET" < "$WORK/push.json" | awk '{print $NF}')"

# GitHub push, signed: accepted. The same body with a bad or missing signature: 401.
expect_eq "signed push" "$(status -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
  -H "X-Hub-Signature-256: $SIG" --data-binary @"$WORK/push.json" "$URL/hooks/github")" 200
expect_eq "signed push body" "$(cat "$WORK/body")" '{"accepted":1}'
BAD="sha256=$(openssl dgst -sha256 -hmac "wrong secret" < "$WORK/push.json" | awk '{print $NF}')"
expect_eq "bad signature" "$(status -H 'Content-Type: application/json' \
  -H "X-Hub-Signature-256: $BAD" --data-binary @"$WORK/push.json" "$URL/hooks/github")" 401
expect_eq "no signature" "$(status -H 'Content-Type: application/json' \
  --data-binary @"$WORK/push.json" "$URL/hooks/github")" 401

# Kubernetes EventList with a bearer token: one event per item. Wrong token: 401.
cat > "$WORK/events.json" <<'JSON'
{"kind":"EventList","apiVersion":"v1","items":[
 {"kind":"Event","type":"Warning","reason":"BackOff","message":"Back-off restarting failed container",
  "source":{"component":"kubelet","host":"node-7"},"lastTimestamp":"2026-11-21T10:00:00Z",
  "involvedObject":{"kind":"Pod","name":"api-7d9","namespace":"prod"}},
 {"kind":"Event","type":"Normal","reason":"Pulled","message":"Container image pulled",
  "source":{"host":"node-8"},"lastTimestamp":"2026-11-21T10:00:01Z",
  "involvedObject":{"kind":"Pod","name":"web-1","namespace":"prod"}}]}
JSON
expect_eq "k8s right token" "$(status -H 'Content-Type: application/json' \
  -H 'Authorization: Bearer k8s-token-123' --data-binary @"$WORK/events.json" "$URL/hooks/k8s")" 200
expect_eq "k8s accepted" "$(cat "$WORK/body")" '{"accepted":2}'
expect_eq "k8s wrong token" "$(status -H 'Content-Type: application/json' \
  -H 'Authorization: Bearer k8s-token-124' --data-binary @"$WORK/events.json" "$URL/hooks/k8s")" 401
expect_eq "k8s no token" "$(status -H 'Content-Type: application/json' \
  --data-binary @"$WORK/events.json" "$URL/hooks/k8s")" 401

# Form bodies: GitHub's payload= form, and a plain form whose parameters are the record.
expect_eq "form payload" "$(status --data-urlencode 'payload={"msg":"from a form payload","host":"gh-form"}' \
  "$URL/hooks/form")" 200
expect_eq "plain form" "$(status --data-urlencode 'msg=plain form field' --data-urlencode 'host=web 9' \
  "$URL/hooks/form")" 200

# Refusals.
head -c 100000 /dev/zero | tr '\0' 'a' > "$WORK/big"
expect_eq "oversized" "$(status -H 'Content-Type: application/json' --data-binary @"$WORK/big" \
  "$URL/hooks/form")" 413
expect_eq "bad json" "$(status -H 'Content-Type: application/json' --data-binary '{"msg": ' \
  "$URL/hooks/form")" 400
grep -q bad_json "$WORK/body" || fail "bad JSON answer has no reason: $(cat "$WORK/body")"
printf '{"msg":"\xff\xfe"}' > "$WORK/binary"
expect_eq "non-UTF-8 json" "$(status -H 'Content-Type: application/json' --data-binary @"$WORK/binary" \
  "$URL/hooks/form")" 400
expect_eq "wrong content type" "$(status -H 'Content-Type: text/xml' --data-binary '<a/>' \
  "$URL/hooks/form")" 415
expect_eq "unknown path" "$(status -H 'Content-Type: application/json' --data-binary '{}' \
  "$URL/hooks/nope")" 404
expect_eq "deep nesting" "$(python3 -c 'print("["*5000 + "]"*5000)' | status \
  -H 'Content-Type: application/json' --data-binary @- "$URL/hooks/form")" 400

# Slowloris: a header sent a byte at a time never completes; the server closes the connection.
python3 - "$PORT" <<'PY' || fail "slowloris client was not closed"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
head = b"POST /hooks/form HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10000
s.settimeout(0.05)
for b in head:
    try:
        s.send(bytes([b]))
    except OSError:
        sys.exit(0)  # reset: closed
    try:
        if s.recv(1) == b"":
            sys.exit(0)  # closed by the server
    except socket.timeout:
        pass
    except OSError:
        sys.exit(0)
sys.exit(1)
PY

# Half-closed: the client sends its request and shuts down its sending side; it still gets
# the full answer.
python3 - "$PORT" <<'PY' || fail "half-closed client got no answer"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
body = b'{"msg":"sent before a half-close","host":"half"}'
s.sendall(b"POST /hooks/form HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
s.shutdown(socket.SHUT_WR)
data = b""
s.settimeout(20)
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.exit(0 if data.startswith(b"HTTP/1.1 200") and b'{"accepted":1}' in data else 1)
PY

# What reached the store.
wait_rows "select count(*) from events where source='webhooks'" 6
expect_eq "push message" "$(db "select message from events where app='github'")" \
  "push to acme/api by mallory: disable branch protection"
expect_eq "push fields" "$(db "select json_extract(fields,'$.user') || ' ' || json_extract(fields,'$.repo') || ' ' ||
  json_extract(fields,'$.first_author') || ' ' || json_extract(fields,'$.\"repository.private\"')
  from events where app='github'")" "mallory acme/api Mallory M true"
expect_eq "push time" "$(db "select time_ns || ' ' || time_from_log from events where app='github'")" \
  "1795266187000000000 1"
expect_eq "k8s events" "$(db "select host || '|' || app || '|' || severity || '|' || message || '|' ||
  json_extract(fields,'$.namespace') from events where json_extract(fields,'$.kind')='Event' order by id")" \
  "node-7|api-7d9|4|BackOff: Back-off restarting failed container|prod
node-8|web-1|6|Pulled: Container image pulled|prod"
expect_eq "form events" "$(db "select host || '|' || message from events where app='form' order by id")" \
  "gh-form|from a form payload
web 9|plain form field
half|sent before a half-close"
# The user of the push is an entity, as for any other source.
wait_rows "select count(*) from entities_all where type='user' and value='mallory'" 1
stop_seerflow

# Counters: what was refused, by reason, is in the log of the stop... and in the metrics the
# inspect view shows; here we check the log names the receiver and the server stopped cleanly.
grep -q "http 'webhook-http' stopped" "$WORK/stderr.log" || fail "webhook server did not stop cleanly"

# HTTPS with a certificate from config.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2> /dev/null
rm -f "$WORK/data/endpoints.json"
CONFIG2="$WORK/seerflow-tls.yaml"
write_config "$CONFIG2"
python3 - "$CONFIG2" "$(webhook_yaml "tls_cert: $WORK/cert.pem" "tls_key: $WORK/key.pem")" <<'PY'
import sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
text = text.replace("receivers:\n", "receivers:\n" + section + "\n", 1)
open(path, "w").write(text)
PY
start_seerflow "$CONFIG2"
TPORT=$(endpoint_port webhook/https)
expect_eq "https" "$(status --cacert "$WORK/cert.pem" -H 'Content-Type: application/json' \
  --data-binary '{"msg":"over tls","host":"tls-host"}' "https://127.0.0.1:$TPORT/hooks/form")" 200
expect_eq "plain http to https port" "$(status -H 'Content-Type: application/json' \
  --data-binary '{"msg":"x"}' "http://127.0.0.1:$TPORT/hooks/form" || true)" 000
wait_rows "select count(*) from events where host='tls-host' and message='over tls'" 1
stop_seerflow
echo "webhook test passed"
