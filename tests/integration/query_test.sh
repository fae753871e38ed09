#!/usr/bin/env bash
# `seerflow query` and `seerflow export` against the store of a real run: events by entity,
# text search (indexed and not yet indexed), severity, time windows, templates, alerts by
# tactic and technique, the timeline; hostile filters stay data, a bad search is reported.
source "$(dirname "$0")/lib.sh"

write_config "$WORK/seerflow.yaml"
start_seerflow "$WORK/seerflow.yaml"
TCP=$(endpoint_port syslog/tcp)

for i in 1 2 3; do
  logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t sshd -p auth.warning \
    "Failed password for root from 198.51.100.23 port 4000$i ssh2"
done
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t sshd -p auth.info \
  "Accepted password for alice from 198.51.100.23 port 40010 ssh2"
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t cron -p cron.info "(root) CMD (/usr/local/bin/backup.sh)"
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t app -p user.err "O'Brien said \"hi\"; DROP TABLE events;--"
wait_rows "select count(*) from events" 6
stop_seerflow

# An alert as the alert actor stores it (detectors that raise alerts arrive with later issues).
db "insert into alerts(id, kind, severity, rule, title, source, time_ns, last_time_ns, entities,
    stored_at_ns, dedup_count) values('a1', 'sigma', 'high', 'r-1', 'SSH brute force', 'syslog',
    (select min(time_ns) - 1 from events), (select max(time_ns) from events),
    '[{\"type\":\"ip\",\"value\":\"198.51.100.23\",\"id\":\"x\"}]', 0, 3);
    insert into alert_tactics values('a1', 'credential-access');
    insert into alert_techniques values('a1', 'T1110.001');"

Q() { "$SEERFLOW" query "$@" --data-dir "$WORK/data"; }

# Events of one entity, typed and untyped.
n=$(Q events --entity 198.51.100.23 --json | wc -l)
expect_eq "events of the address" "$n" 4
n=$(Q events --entity ip:198.51.100.23 --json | wc -l)
expect_eq "events of the typed address" "$n" 4
n=$(Q events --entity user:198.51.100.23 --json | wc -l)
expect_eq "wrong type finds nothing" "$n" 0
n=$(Q events --entity user:alice --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["message"])')
expect_eq "alice's event" "$n" "Accepted password for alice from 198.51.100.23 port 40010 ssh2"

# Severity: warning or worse.
n=$(Q events --severity warning --json | wc -l)
expect_eq "warning or worse" "$n" 4

# Full-text search over whatever is indexed so far (FTS5) and the rest (substring), then once
# the index has caught up.
n=$(Q events --search "failed password" --json | wc -l)
expect_eq "search while indexing" "$n" 3
wait_text_index
# Only the index knows NOT (the substring match of the unindexed tail requires every word), so
# this also proves the CLI reads the index's file.
expect_eq "NOT through the index" "$(Q events --search 'password NOT failed' --json | wc -l)" \
  "$(db "select count(*) from events where lower(message) like '%password%' and lower(message) not like '%failed%'")"
n=$(Q events --search "failed password" --json | wc -l)
expect_eq "search after indexing" "$n" 3
n=$(Q events --search '"backup.sh"' --json | wc -l)
expect_eq "phrase search" "$n" 1
set +e
out=$(Q events --search 'AND (' 2>&1); rc=$?
set -e
expect_eq "bad search exit code" "$rc" 2
[[ "$out" == *"not a valid full-text query"* ]] || fail "bad search message: $out"

# Hostile filter values are data, never SQL.
n=$(Q events --source "x' OR '1'='1" --json | wc -l)
expect_eq "injection in a filter" "$n" 0
n=$(db "select count(*) from events")
expect_eq "events still there" "$n" 6

# Time windows.
n=$(Q events --since 2000-01-01 --until @4102444800 --json | wc -l)
expect_eq "time window" "$n" 6
n=$(Q events --last 1m --json | wc -l)
expect_eq "last minute" "$n" 6
set +e
Q events --last 1x > /dev/null 2>&1; rc=$?
set -e
expect_eq "bad duration" "$rc" 2
n=$(Q events --limit 2 --json | wc -l)
expect_eq "limit" "$n" 2

# Templates, newest first for --new-last.
n=$(Q templates --json | python3 -c 'import json,sys; print(sum(json.loads(l)["events"] for l in sys.stdin))')
expect_eq "template counts" "$n" 6
n=$(Q templates --new-last 1h --json | wc -l)
[[ "$n" -ge 3 ]] || fail "new templates: $n"

# Alerts by tactic, technique (parent matches sub-technique), entity.
n=$(Q alerts --tactic credential_access --json | wc -l)
expect_eq "alerts by tactic" "$n" 1
n=$(Q alerts --technique t1110 --json | wc -l)
expect_eq "alerts by parent technique" "$n" 1
n=$(Q alerts --technique T1110.002 --json | wc -l)
expect_eq "other sub-technique" "$n" 0
n=$(Q alerts --entity 198.51.100.23 --severity high --json | python3 -c 'import json,sys; a=json.loads(sys.stdin.readline()); print(a["count"], a["tactics"][0], a["techniques"][0])')
expect_eq "alert fields" "$n" "3 credential-access T1110.001"

# Timeline: the address's events and its alert, in time order.
kinds=$(Q timeline 198.51.100.23 --json | python3 -c 'import json,sys; print(",".join(json.loads(l)["kind"] for l in sys.stdin))')
expect_eq "timeline" "$kinds" "alert,event,event,event,event"

# Table output has a header and one line per event.
n=$(Q events | wc -l)
expect_eq "table lines" "$n" 7

# Export: CSV parses back with the same rows; JSON lines too.
"$SEERFLOW" export events --format csv --output "$WORK/events.csv" --data-dir "$WORK/data" 2> /dev/null
n=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print(len(r)-1, r[-1][-1])' "$WORK/events.csv")
expect_eq "csv export" "$n" "6 O'Brien said \"hi\"; DROP TABLE events;--"
"$SEERFLOW" export alerts --format json --output "$WORK/alerts.json" --data-dir "$WORK/data" 2> /dev/null
n=$(wc -l < "$WORK/alerts.json")
expect_eq "json export" "$n" 1
[[ ! -e "$WORK/alerts.json.partial" ]] || fail "partial file left behind"

# No store: a clear message, exit 1.
set +e
out=$("$SEERFLOW" query events --data-dir "$WORK/nowhere" 2>&1); rc=$?
set -e
expect_eq "missing store exit" "$rc" 1
[[ "$out" == *"no store at"* ]] || fail "missing store message: $out"
echo "ok"
