#!/usr/bin/env bash
# The seed scenario of the detection ensemble: 300 ordinary nginx access lines arrive over UDP
# syslog from `logger`, then postgres writes "FATAL:  connection limit exceeded 847/100". That
# event, and only that one, becomes an anomaly alert: stored (checked with sqlite3) and logged.
source "$(dirname "$0")/lib.sh"

write_config "$WORK/seerflow.yaml" "sigma:" "  enabled: false"
start_seerflow "$WORK/seerflow.yaml"
UDP=$(endpoint_port syslog/udp)

# A day's ordinary traffic in miniature: a dozen clients, a handful of pages and assets, mostly
# 200s with some 304s and a 404, browsers and a monitoring probe. Deterministic (fixed seed).
python3 - "$WORK/nginx.log" <<'PY'
import random, sys
rng = random.Random(300)
clients = [f"10.20.{rng.randrange(1, 5)}.{rng.randrange(2, 250)}" for _ in range(12)]
pages = ["/", "/index.html", "/about", "/products", "/products/42", "/cart", "/login",
         "/static/app.js", "/static/site.css", "/static/logo.png", "/api/v1/items?page=2"]
agents = ["Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/119.0 Safari/537.36",
          "curl/8.4.0 (health-probe)"]
with open(sys.argv[1], "w") as f:
    for i in range(300):
        status = rng.choices([200, 304, 404], [85, 13, 2])[0]
        size = 0 if status == 304 else rng.randrange(200, 48000)
        f.write(f'{rng.choice(clients)} - - [21/Nov/2026:10:{i // 60:02d}:{i % 60:02d} +0000] '
                f'"GET {rng.choice(pages)} HTTP/1.1" {status} {size} "-" "{rng.choice(agents)}"\n')
PY
logger --rfc5424 -n 127.0.0.1 -P "$UDP" -d -t nginx -p local7.info -f "$WORK/nginx.log"
wait_rows "select count(*) from events where app='nginx'" 300
expect_eq "anomalies among the normal lines" \
  "$(db "select count(*) from alerts where kind='anomaly'")" "0"

logger --rfc5424 -n 127.0.0.1 -P "$UDP" -d -t postgres -p local0.err \
  "FATAL:  connection limit exceeded 847/100"
wait_rows "select count(*) from events where app='postgres'" 1
wait_rows "select count(*) from alerts where kind='anomaly'" 1
stop_seerflow

expect_eq "anomaly alerts" "$(db "select count(*) from alerts where kind='anomaly'")" "1"
expect_eq "repeats folded into it" \
  "$(db "select dedup_count from alerts where kind='anomaly'")" "1"
# \$ in "\$[0]": unescaped, bash reads $[0] as arithmetic and the path becomes "0".
seq=$(db "select seq from events where app='postgres'")
expect_eq "the anomaly is the postgres event" \
  "$(db "select json_extract(event_seqs, '\$[0]') from alerts where kind='anomaly'")" "$seq"
expect_eq "its message" \
  "$(db "select json_extract(details, '$.message') from alerts where kind='anomaly'")" \
  "FATAL:  connection limit exceeded 847/100"
dir=$(db "select json_extract(details, '$.direction') from alerts where kind='anomaly'")
expect_eq "direction" "$dir" "upper"
# The log line, with its score and threshold, then the template and message.
grep -q "ANOMALY \[syslog\] score=.* threshold=.* dir=upper" "$WORK/stderr.log" ||
  fail "no ANOMALY log line"
grep -q "connection limit exceeded 847/100" "$WORK/stderr.log" || fail "log line lacks the message"
echo "PASS"
