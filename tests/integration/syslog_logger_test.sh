#!/usr/bin/env bash
# The real binary against util-linux `logger`: RFC 5424 and RFC 3164 over UDP and TCP (LF and
# octet-counted framing), rows checked with the sqlite3 CLI, then an ordered shutdown on SIGTERM
# whose summary counts what was sent.
source "$(dirname "$0")/lib.sh"

write_config "$WORK/seerflow.yaml"
start_seerflow "$WORK/seerflow.yaml"
UDP=$(endpoint_port syslog/udp)
TCP=$(endpoint_port syslog/tcp)

logger --rfc5424 -n 127.0.0.1 -P "$UDP" -d -t sshd -p auth.info --msgid LOGIN \
  --sd-id origin@32473 --sd-param 'ip="10.9.8.7"' \
  "Accepted password for alice from 10.1.2.3 port 52113 ssh2"
logger --rfc3164 -n 127.0.0.1 -P "$UDP" -d -t sudo -p authpriv.notice \
  "bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow"
logger --rfc5424 -n 127.0.0.1 -P "$TCP" -T --octet-count -t sshd -p auth.warning \
  "Failed password for invalid user admin from 203.0.113.9 port 40022 ssh2"
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t cron -p cron.info \
  "(root) CMD (/usr/local/bin/backup.sh)"
# Several lines over one TCP connection (LF framing).
printf 'line one from a file\nline two from a file\n' > "$WORK/lines.txt"
logger --rfc5424 -n 127.0.0.1 -P "$TCP" -T -t filer -f "$WORK/lines.txt"

wait_rows "select count(*) from events" 6

# RFC 5424 over UDP: header, structured data, facility and severity, entities.
row=$(db "select app, msgid, facility, severity, message from events where app='sshd' and msgid='LOGIN'")
expect_eq "5424/udp row" "$row" "sshd|LOGIN|4|6|Accepted password for alice from 10.1.2.3 port 52113 ssh2"
sd=$(db "select json_extract(fields, '$.\"origin@32473.ip\"') from events where msgid='LOGIN'")
expect_eq "structured data" "$sd" "10.9.8.7"
ents=$(db "select group_concat(e.type || ':' || e.value, ',') from (select e.type, e.value from events ev
           join event_entities l on l.event_id = ev.id join entities_all e on e.entity_key = l.entity_key
           where ev.msgid = 'LOGIN' order by e.type, e.value) e")
[[ "$ents" == *"ip:10.1.2.3"* && "$ents" == *"user:alice"* ]] || fail "entities of the 5424 event: $ents"

# RFC 3164 over UDP.
row=$(db "select app, facility, severity from events where app='sudo'")
expect_eq "3164/udp row" "$row" "sudo|10|5"
# Octet-counted RFC 5424 over TCP, and LF-framed RFC 3164 over TCP.
expect_eq "5424/tcp octet" "$(db "select severity from events where message like 'Failed password%'")" "4"
expect_eq "3164/tcp" "$(db "select app from events where message like '(root) CMD%'")" "cron"
expect_eq "two lines over one connection" \
  "$(db "select count(*) from events where app='filer'")" "2"
# Every event got a template, and templates and entities are stored.
expect_eq "events without template" "$(db "select count(*) from events where template_id is null")" "0"
[[ $(db "select count(*) from templates") -ge 4 ]] || fail "templates table"
expect_eq "event time from the log" "$(db "select count(*) from events where time_from_log = 1")" "6"
# The sender's hostname is kept.
[[ $(db "select count(distinct host) from events where host is not null") -ge 1 ]] || fail "host"

stop_seerflow
grep -q "session summary: events processed 6," "$WORK/stderr.log" || fail "summary line missing"
grep -q '"dropped":0' "$WORK/stderr.log" || fail "summary reports drops"
echo "PASS"
